using System.Text.Json;

namespace OpenShell.Testing;

/// <summary>
/// Keeps the first engine's bridge (<c>docker0</c>) on this machine while a second engine runs: a second engine that
/// is restarted after a crash has been seen to remove it, after which every build and container on the shared
/// engine's default network fails ("could not find bridge docker0"). Each second the bridge is checked and, when it is
/// gone, made again with the addresses it had, and the repair is written to the second engine's log.
/// </summary>
internal sealed class HostBridgeGuard : IAsyncDisposable
{
    private const string Bridge = "docker0";
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private HostBridgeGuard(IReadOnlyList<string> addresses, Action<string> log) => _loop = WatchAsync(addresses, log, _stop.Token);

    /// <summary>Guards the bridge when it exists now; null when this machine has none to keep.</summary>
    public static async Task<HostBridgeGuard?> StartAsync(Action<string> log)
    {
        var shown = await TestProcess.RunAsync("ip", ["-j", "addr", "show", "dev", Bridge]);
        if (shown.ExitCode != 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(shown.Stdout);
        var addresses = json.RootElement.EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray())
            .Where(a => a.GetProperty("family").GetString() == "inet")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .ToList();
        return new HostBridgeGuard(addresses, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task WatchAsync(IReadOnlyList<string> addresses, Action<string> log, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                if (Directory.Exists($"/sys/class/net/{Bridge}"))
                {
                    continue;
                }

                log($"{Bridge} disappeared; making it again with {string.Join(", ", addresses)}");
                await TestProcess.RunAsync("ip", ["link", "add", Bridge, "type", "bridge"]);
                foreach (var address in addresses)
                {
                    await TestProcess.RunAsync("ip", ["addr", "add", address, "dev", Bridge]);
                }

                await TestProcess.RunAsync("ip", ["link", "set", Bridge, "up"]);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
