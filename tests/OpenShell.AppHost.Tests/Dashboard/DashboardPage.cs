using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace OpenShell.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard's resources page in the browser. Waits in short rounds so that an AppHost that exited fails the test
/// at once, and a page that stopped updating (a live connection dropped under load, or a first load answered before
/// the dashboard served) is loaded again, as a user would.
/// </summary>
internal sealed class DashboardPage(IPage page, AppHostProcess appHost, ITestOutputHelper output)
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(20);

    // Rounds without progress before the page is loaded again.
    private const int RoundsBeforeReload = 2;

    private string _loginUrl = "";

    /// <summary>Logs in through <paramref name="loginUrl"/> and waits until the resources grid shows, loading again when it does not.</summary>
    public async Task OpenAsync(string loginUrl, DateTime deadline)
    {
        _loginUrl = loginUrl;
        await WaitUntilServingAsync(loginUrl, deadline);
        while (true)
        {
            await page.GotoAsync(loginUrl);
            try
            {
                await Assertions.Expect(page.GetByRole(AriaRole.Columnheader).Filter(new LocatorFilterOptions { HasText = "State" }).First)
                    .ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = (float)Round.TotalMilliseconds });
                return;
            }
            catch (Exception e) when ((e is PlaywrightException or TimeoutException) && !appHost.HasExited && DateTime.UtcNow < deadline)
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} the resources grid did not show ({page.Url}: {Tail(await BodyTextAsync(), 3)}); loading again");
            }
        }
    }

    /// <summary>Waits until the resource's row contains <paramref name="text"/>, or fails with what the page showed.</summary>
    public async Task WaitForRowAsync(string resource, Regex text, DateTime deadline)
    {
        var rounds = 0;
        while (true)
        {
            try
            {
                await Assertions.Expect(Row(page, resource)).ToContainTextAsync(text, new LocatorAssertionsToContainTextOptions { Timeout = (float)Round.TotalMilliseconds });
                return;
            }
            catch (Exception e) when ((e is PlaywrightException or TimeoutException) && !appHost.HasExited && DateTime.UtcNow < deadline)
            {
                rounds++;
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {resource}: not yet /{text}/ (row: {await RowTextAsync(resource)})");
                if (rounds % RoundsBeforeReload == 0)
                {
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} loading the dashboard again");
                    await OpenAsync(_loginUrl, deadline);
                }
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"The dashboard never showed '{resource}' as /{text}/ ({(appHost.HasExited ? "the AppHost exited" : "timed out")}): {e.Message}\n" +
                    $"--- page ({page.Url}) ---\n{Tail(await BodyTextAsync(), 60)}\n--- AppHost output (last 80 lines) ---\n{Tail(appHost.Output, 80)}");
            }
        }
    }

    /// <summary>
    /// Opens the Traces page until a trace named <paramref name="name"/> shows whose detail page names every span of
    /// <paramref name="spans"/> and none of <paramref name="absent"/>; returns that detail page's text. Traces reach the
    /// dashboard in batches, so the list is read again until the deadline.
    /// </summary>
    public async Task<string> WaitForTraceAsync(string name, IReadOnlyList<string> spans, IReadOnlyList<string> absent, DateTime deadline)
    {
        var origin = new Uri(_loginUrl).GetLeftPart(UriPartial.Authority);
        var seen = "no trace yet";
        while (true)
        {
            await page.GotoAsync($"{origin}/traces");
            var rows = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = name });
            try
            {
                await Assertions.Expect(rows.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = (float)Round.TotalMilliseconds });
            }
            catch (Exception e) when ((e is PlaywrightException or TimeoutException) && !appHost.HasExited && DateTime.UtcNow < deadline)
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} no '{name}' trace on the Traces page yet");
                continue;
            }

            var count = await rows.CountAsync();
            for (var i = 0; i < count; i++)
            {
                string text;
                try
                {
                    await rows.Nth(i).ClickAsync();
                    await page.WaitForURLAsync(new Regex("/traces/detail/"), new PageWaitForURLOptions { Timeout = (float)Round.TotalMilliseconds });
                    // The detail page renders its span rows after the page itself.
                    await Assertions.Expect(page.Locator("body")).ToContainTextAsync(spans[0], new LocatorAssertionsToContainTextOptions { Timeout = 5_000 });
                    text = await BodyTextAsync();
                }
                catch (Exception e) when ((e is PlaywrightException or TimeoutException) && !appHost.HasExited && DateTime.UtcNow < deadline)
                {
                    // The list re-renders as traces arrive (the cluster's pods export too): a click can miss its row.
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} trace row {i} did not open ({e.GetType().Name}); reading the Traces page again");
                    break;
                }

                if (spans.All(s => text.Contains(s, StringComparison.Ordinal)) && !absent.Any(s => text.Contains(s, StringComparison.Ordinal)))
                {
                    return text;
                }

                seen = $"{count} '{name}' trace(s), the last with: {Tail(text, 20).ReplaceLineEndings(" | ")}";
                try
                {
                    await page.GotoAsync($"{origin}/traces");
                    await Assertions.Expect(rows.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = (float)Round.TotalMilliseconds });
                }
                catch (Exception e) when ((e is PlaywrightException or TimeoutException) && !appHost.HasExited && DateTime.UtcNow < deadline)
                {
                    // A loaded machine's dashboard can take longer than a round to list the traces again: read it afresh.
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} the Traces page did not list the traces again ({e.GetType().Name}); reading it again");
                    break;
                }
            }

            if (appHost.HasExited || DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"The Traces page never showed a '{name}' trace with spans [{string.Join(", ", spans)}] and without [{string.Join(", ", absent)}]: {seen}\n" +
                    $"--- AppHost output (last 80 lines) ---\n{Tail(appHost.Output, 80)}");
            }

            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {seen}; reading the Traces page again");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    // The printed URL answers (through the orchestrator's proxy) before the dashboard behind it serves pages.
    private async Task WaitUntilServingAsync(string loginUrl, DateTime deadline)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
        while (true)
        {
            string status;
            try
            {
                using var response = await http.GetAsync(new Uri(loginUrl));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == System.Net.HttpStatusCode.Redirect || (response.IsSuccessStatusCode && body.Length > 0))
                {
                    return;
                }

                status = $"{(int)response.StatusCode}, {body.Length} bytes";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                status = e.Message;
            }

            if (appHost.HasExited || DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"The dashboard at {loginUrl} never served a page (last: {status}).\n{Tail(appHost.Output, 80)}");
            }

            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} the dashboard does not serve yet ({status})");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    // Only a resource's own row carries its name (sources and URLs of the others do not).
    public static ILocator Row(IPage page, string resource) =>
        page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = resource }).First;

    private async Task<string> RowTextAsync(string resource)
    {
        try
        {
            return (await Row(page, resource).InnerTextAsync(new LocatorInnerTextOptions { Timeout = 2_000 })).ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return "absent";
        }
    }

    private async Task<string> BodyTextAsync()
    {
        try
        {
            return await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}
