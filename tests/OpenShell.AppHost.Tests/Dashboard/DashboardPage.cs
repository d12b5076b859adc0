using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace OpenShell.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard's resources page in the browser. Waits in short rounds so that an AppHost that exited fails the test
/// at once, and a page whose live connection dropped under load (it then stops updating) is reloaded.
/// </summary>
internal sealed class DashboardPage(IPage page, AppHostProcess appHost, ITestOutputHelper output)
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(20);

    // Three rounds without progress: reload, as a user would.
    private const int RoundsBeforeReload = 3;

    private string _resourcesUrl = "";

    public async Task OpenAsync(string loginUrl)
    {
        await page.GotoAsync(loginUrl);
        _resourcesUrl = page.Url;
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
            catch (PlaywrightException) when (!appHost.HasExited && DateTime.UtcNow < deadline)
            {
                rounds++;
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {resource}: not yet /{text}/ (row: {await RowTextAsync(resource)})");
                if (rounds % RoundsBeforeReload == 0)
                {
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} reloading {_resourcesUrl}");
                    await page.GotoAsync(_resourcesUrl);
                }
            }
            catch (PlaywrightException e)
            {
                var body = await BodyTextAsync();
                throw new Xunit.Sdk.XunitException(
                    $"The dashboard never showed '{resource}' as /{text}/ ({(appHost.HasExited ? "the AppHost exited" : "timed out")}): {e.Message}\n" +
                    $"--- page ({page.Url}) ---\n{body}\n--- AppHost output (last 80 lines) ---\n{Tail(appHost.Output, 80)}");
            }
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
        catch (PlaywrightException)
        {
            return "absent";
        }
    }

    private async Task<string> BodyTextAsync()
    {
        try
        {
            return Tail(await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 }), 60);
        }
        catch (PlaywrightException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}
