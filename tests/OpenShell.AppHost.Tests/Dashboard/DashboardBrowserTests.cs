using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenShell.AppHost.Telemetry;
using OpenShell.AppHost.Tests.DevLoop;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.DevLoop.Telemetry;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.AppHost.Tests.Dashboard;

/// <summary>The Aspire dashboard of the AppHost run as users run it, driven in a real headless Chromium.</summary>
[Collection(OfflineStackCollection.Name)]
public sealed class DashboardBrowserTests(OfflineStackFixture stack, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [RequiresDocker]
    public async Task Dashboard_shows_every_resource_with_its_state_and_runs_a_command()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await stack.ReleaseRegistryAsync();
        await using var appHost = await AppHostProcess.StartAsync("Offline", stack.Switches, cts.Token);

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
        var dashboard = new DashboardPage(page, appHost, output);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
            await dashboard.OpenAsync((await appHost.LoginUrl).ToString(), deadline);
            foreach (var resource in new[] { "registry", "runtime-bundle", "cluster", "gateway", "supervisor", "chart" })
            {
                await dashboard.WaitForRowAsync(resource, new Regex("Running"), deadline);
            }

            await dashboard.WaitForRowAsync("watcher", new Regex("Up to date|Watching"), deadline);

            // A sandbox started through the gateway (as `openshell-dev sandbox create` does) shows up under it, running.
            var sandbox = $"dash-{Guid.NewGuid():N}"[..13];
            using (var client = await SandboxClientAsync(cts.Token))
            {
                var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(sandbox, "base", ["sleep", "600"]), ct: cts.Token);
                output.WriteLine($"sandbox {sandbox} Ready after {ready.Elapsed.TotalSeconds:0.0} s, supervisor sha256 {ready.SupervisorSha256}");
            }

            await dashboard.WaitForRowAsync(sandbox, new Regex("Running"), deadline);

            // The dashboard keeps custom properties behind "Show all properties" in a resource's details.
            await DashboardPage.Row(page, "supervisor").GetByText("supervisor", new LocatorGetByTextOptions { Exact = true }).First.ClickAsync();
            var viewOptions = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "View options" });
            await Assertions.Expect(viewOptions).ToHaveCountAsync(2);
            await viewOptions.Last.ClickAsync();
            await page.GetByRole(AriaRole.Menuitem, new PageGetByRoleOptions { Name = "Show all properties" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "binary.sha256" }).First)
                .ToContainTextAsync(new Regex("[0-9a-f]{64}"));
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "binary.version" }).First)
                .ToContainTextAsync("0.1.0");
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Close" }).ClickAsync();

            // A supervisor edit is one deploy trace on the Traces page, with its plan, publish and swap spans and their
            // durations; the first deploy (which also built the gateway) is told apart by its gateway build span.
            stack.Checkout.Append("src/OpenShell.Sandbox/Program.cs", $"// edit {Guid.NewGuid():N}");
            var trace = await dashboard.WaitForTraceAsync(
                $"{DevLoopTelemetryExport.ServiceName}: {DeploySpanNames.Deploy}",
                [DeploySpanNames.Of(DeployStep.ChangeDetection), DeploySpanNames.PublishSupervisor, DeploySpanNames.SupervisorSwap],
                [DeploySpanNames.Of(DeployStep.Builds)],
                deadline);
            Assert.Matches(new Regex(@"\d+(\.\d+)?\s?(ms|s)\b"), trace);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetDirectoryName(screenshot)!, "dashboard-deploy-trace.png"), FullPage = true });
            var history = await DeployHistory.ForRepository(stack.Checkout.Root).ReadAsync();
            Assert.Contains(history.Entries, e => e.Outcome == DeployOutcomes.Succeeded
                && e.Changes.Values.Any(paths => paths.Contains("src/OpenShell.Sandbox/Program.cs")));
            await dashboard.OpenAsync((await appHost.LoginUrl).ToString(), deadline);

            // The watcher's "Pause watching" command from its menu: the state follows.
            await DashboardPage.Row(page, "watcher").GetByRole(AriaRole.Button).Last.ClickAsync();
            await page.GetByRole(AriaRole.Menuitem).Filter(new LocatorFilterOptions { HasText = "Pause watching" }).First.ClickAsync();
            await dashboard.WaitForRowAsync("watcher", new Regex("Paused"), DateTime.UtcNow + TimeSpan.FromMinutes(1));
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            output.WriteLine($"screenshot: {screenshot}");
        }
    }

    // The gateway as a user's client reaches it: the node's published gateway port, the client certificate of .cache/pki/.
    private async Task<SandboxClient> SandboxClientAsync(CancellationToken ct)
    {
        using var docker = DockerEngine.CreateClient();
        var node = await docker.Containers.InspectContainerAsync(stack.ClusterContainer, ct);
        var nodePort = $"{new ClusterSettings().GatewayNodePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var port = int.Parse(node.NetworkSettings.Ports[nodePort][0].HostPort, CultureInfo.InvariantCulture);
        return SandboxClient.Connect(GatewayEndpoint.Resolve(new ClusterPaths(stack.Checkout.Root, stack.Name), port));
    }
}
