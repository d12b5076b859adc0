using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.Dashboard;

/// <summary>
/// The AppHost as a user runs it (<c>dotnet run --project OpenShell.AppHost</c>), on free ports, with the dashboard on.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _loginUrl = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Everything the AppHost printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the AppHost with the given configuration switches and waits for the dashboard login URL.</summary>
    public static async Task<AppHostProcess> StartAsync(string environment, IEnumerable<string> switches, CancellationToken ct)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--project", "OpenShell.AppHost", "--no-build", "-c", configuration, "--no-launch-profile", "--" }.Concat(switches))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";

        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await using (timeout.Token.Register(() => host._loginUrl.TrySetCanceled()))
        {
            try
            {
                await host._loginUrl.Task;
            }
            catch (OperationCanceledException)
            {
                await host.DisposeAsync();
                throw new TimeoutException("The AppHost never printed its dashboard login URL.\n" + host.Output);
            }
        }

        return host;
    }

    /// <summary>Whether the AppHost process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The dashboard's login URL (with its one-time token).</summary>
    public Task<Uri> LoginUrl => _loginUrl.Task;

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _loginUrl.TrySetException(new InvalidOperationException("The AppHost exited.\n" + Output));
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (LoginPattern().Match(line) is { Success: true } match)
        {
            _loginUrl.TrySetResult(new Uri(match.Value));
        }
    }

    /// <summary>Stops the AppHost as Ctrl+C would, so it removes its session containers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGINT lets the AppHost shut its resources down; kill only if it hangs.
            _ = await TestProcess.RunAsync("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginPattern();
}
