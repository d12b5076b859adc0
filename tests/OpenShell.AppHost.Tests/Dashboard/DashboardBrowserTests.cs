using Microsoft.Playwright;
using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.Dashboard;

/// <summary>The Aspire dashboard of a running AppHost, driven in a real headless Chromium.</summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [RequiresDocker]
    public async Task Dashboard_lists_every_resource_with_its_state()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var appHost = await AppHostProcess.StartAsync(
            "Offline",
            [
                $"--OpenShell:Registry:HostPort={FreePort()}",
                $"--OpenShell:Registry:ContainerName=openshell-test-registry-{suffix}",
                $"--OpenShell:Registry:VolumeName=openshell-test-registry-{suffix}-data",
                "--OpenShell:Registry:Persistent=false",
            ],
            cts.Token);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // No sandbox as root; no background traffic on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        try
        {
            await page.GotoAsync((await appHost.LoginUrl).ToString());

            var row = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "registry" });
            await Assertions.Expect(row.First).ToContainTextAsync("Running", new LocatorAssertionsToContainTextOptions { Timeout = 120_000 });

            // A command from the resource's menu: open it and check the built-in ones are offered.
            await row.First.GetByRole(AriaRole.Button).Last.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Menuitem).Filter(new LocatorFilterOptions { HasText = "Restart" }).First).ToBeVisibleAsync();
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
