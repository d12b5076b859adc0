using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Engine;

namespace OpenShell.Testing;

/// <summary>
/// A second Docker engine on this machine standing in for a remote one: its own <c>dockerd</c> listening on
/// <c>tcp://127.0.0.2:PORT</c> with TLS client verification (<see cref="EnginePki"/>), with its own data root, exec root,
/// bridge and address pool, so it never touches the engine the other tests share. Its containers publish on this machine's
/// loopback (the two engines share the network namespace), and it has no images until <see cref="CopyImagesAsync"/>.
/// <para>
/// Not <c>--bridge none</c> (with which dockerd deletes the host's <c>docker0</c>, the first engine's bridge), and
/// <c>--iptables=false</c> (the first engine owns the rules); since the first engine's <c>FORWARD</c> policy drops bridged
/// traffic, one accept rule for this engine's address pool (both ends in it) is inserted and removed again. Even so,
/// a restart after a crash has been seen to remove <c>docker0</c>; <see cref="HostBridgeGuard"/> puts it back.
/// Disposing stops dockerd (its containers with it) and removes its bridge, the rule and every folder it used, also
/// when a test failed.
/// </para>
/// <para>
/// dockerd runs in a mount namespace of its own, where a small tmpfs covers <see cref="RemoteOnlyFolder"/>: the two engines
/// share one file system, but what is written there (through this engine's containers) exists only on "the remote
/// machine", as this process can check. The namespace goes with dockerd, and its mounts with it.
/// </para>
/// </summary>
public sealed class SecondEngine : IAsyncDisposable
{
    private Process _process;
    private readonly TempDirectory _folder;
    private readonly string _exec;
    private readonly string _bridge;
    private readonly string[] _forwardRule;
    private readonly StringBuilder _log;
    private HostBridgeGuard? _hostBridge;

    private SecondEngine(Process process, TempDirectory folder, string exec, string bridge, string[] forwardRule, StringBuilder log, int port, EnginePki pki, string subnet)
    {
        _process = process;
        _folder = folder;
        _exec = exec;
        _bridge = bridge;
        _forwardRule = forwardRule;
        _log = log;
        Port = port;
        Pki = pki;
        Subnet = subnet;
    }

    /// <summary>The engine's TLS port on 127.0.0.2.</summary>
    public int Port { get; }

    /// <summary>The engine's address, as <c>DOCKER_HOST</c> names it.</summary>
    public string Host => $"tcp://{EnginePki.EngineAddress}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The certificates: the engine's, a client's it accepts and a foreign one it refuses.</summary>
    public EnginePki Pki { get; }

    /// <summary>The address pool of the engine's bridge and networks (a private /16 of its own).</summary>
    public string Subnet { get; }

    /// <summary>
    /// The engine's Unix socket, a path on its (this) machine that only it serves: what a node running pods as containers
    /// mounts (<c>OpenShell:Engine:RemoteSocket</c>).
    /// </summary>
    public string Socket => Path.Combine(_exec, "docker.sock");

    /// <summary>A folder of the engine's own: its certificates, its data root.</summary>
    public string Folder => _folder.Path;

    /// <summary>
    /// A folder only this engine sees with content: for this process it stays empty; in the engine's mount namespace it is
    /// a tmpfs, written through a container's bind mount (see <see cref="WriteRemoteOnlyFileAsync"/>).
    /// </summary>
    public string RemoteOnlyFolder => _folder.Combine("remote-only");

    /// <summary>The Docker client variables that select this engine with the accepted client certificate.</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment => new Dictionary<string, string>
    {
        ["DOCKER_HOST"] = Host,
        ["DOCKER_TLS_VERIFY"] = "1",
        ["DOCKER_CERT_PATH"] = Pki.ClientFolder,
    };

    /// <summary>The engine as <see cref="ClientEnvironment"/> selects it.</summary>
    public EngineConnection Connection => EngineConnection.Resolve(null, name => ClientEnvironment.TryGetValue(name, out var v) ? v : null, Folder);

    /// <summary>What dockerd has written so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the engine and waits until it answers through TLS.</summary>
    public static async Task<SecondEngine> StartAsync(CancellationToken ct = default)
    {
        var folder = new TempDirectory("second-engine");
        var pki = EnginePki.Create(folder.Combine("pki"));
        var port = FreePort();
        // Short paths: containerd's socket lives under the exec root and socket paths are limited to 108 bytes.
        var id = Guid.NewGuid().ToString("N")[..8];
        var exec = Path.Combine("/tmp", "osd-" + id);
        var (subnet, bridgeAddress) = FreeSubnet();
        var bridge = "osdbr" + id[..6];
        string[] rule = ["FORWARD", "-s", subnet, "-d", subnet, "-j", "ACCEPT"];
        var log = new StringBuilder();
        Process? process = null;
        try
        {
            foreach (var command in new[]
            {
                new[] { "link", "add", bridge, "type", "bridge" },
                ["addr", "add", bridgeAddress, "dev", bridge],
                ["link", "set", bridge, "up"],
            })
            {
                (await TestProcess.RunAsync("ip", command, ct: ct)).EnsureSuccess($"ip {string.Join(' ', command)}");
            }

            (await TestProcess.RunAsync("iptables", ["-I", .. rule], ct: ct)).EnsureSuccess("iptables -I " + string.Join(' ', rule));
            Directory.CreateDirectory(folder.Combine("remote-only"));
            Directory.CreateDirectory(exec);
            process = Launch(folder, exec, bridge, port, pki, subnet, log);
        }
        catch
        {
            await CleanUpAsync(process, folder, exec, bridge, rule);
            throw;
        }

        var engine = new SecondEngine(process, folder, exec, bridge, rule, log, port, pki, subnet);
        try
        {
            engine._hostBridge = await HostBridgeGuard.StartAsync(line => { lock (log) { log.AppendLine(line); } });
            await engine.WaitAnsweringAsync(ct);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client for this engine (TLS with the accepted client certificate).</summary>
    public DockerClient CreateClient() => Connection.CreateClient();

    /// <summary>
    /// Copies <paramref name="images"/> from the engine <paramref name="from"/> into this one: the export streams straight
    /// into the import through the two APIs, with no file in between. Images this engine has already are copied again
    /// only when their ID differs.
    /// </summary>
    public async Task CopyImagesAsync(IDockerClient from, IEnumerable<string> images, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(images);
        using var to = CreateClient();
        var wanted = new List<string>();
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            var source = await from.Images.InspectImageAsync(image, ct);
            try
            {
                if ((await to.Images.InspectImageAsync(image, ct)).ID == source.ID)
                {
                    continue;
                }
            }
            catch (DockerImageNotFoundException)
            {
            }

            wanted.Add(image);
        }

        if (wanted.Count == 0)
        {
            return;
        }

        var errors = new List<string>();
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error is not null || !string.IsNullOrEmpty(m.ErrorMessage))
            {
                lock (errors)
                {
                    errors.Add(m.ErrorMessage ?? m.Error?.Message ?? "");
                }
            }
        });
        await using (var export = await from.Images.SaveImagesAsync([.. wanted], ct))
        {
            await to.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, export, progress, ct);
        }

        foreach (var image in wanted)
        {
            try
            {
                await to.Images.InspectImageAsync(image, ct);
            }
            catch (DockerImageNotFoundException)
            {
                lock (errors)
                {
                    throw new Xunit.Sdk.XunitException($"{image} was not loaded into the second engine: {string.Join("; ", errors)}");
                }
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> as <paramref name="name"/> into <see cref="RemoteOnlyFolder"/> as this engine sees
    /// it: through the archive API into a never-started container of <paramref name="image"/> (one this engine has) that
    /// bind-mounts the folder, removed afterwards. Returns the file's path on the engine's machine.
    /// </summary>
    public async Task<string> WriteRemoteOnlyFileAsync(string name, byte[] content, string image, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(content);
        using var client = CreateClient();
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = "ostcp2-remote-writer-" + Guid.NewGuid().ToString("N")[..8],
            Image = image,
            HostConfig = new HostConfig { Mounts = [new Mount { Type = "bind", Source = RemoteOnlyFolder, Target = "/remote-only" }] },
        }, ct);
        try
        {
            using var archive = new MemoryStream();
            await using (var writer = new System.Formats.Tar.TarWriter(archive, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
            {
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(content),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry, ct);
            }

            archive.Position = 0;
            await client.Containers.ExtractArchiveToContainerAsync(created.ID, new ContainerPathStatParameters { Path = "/remote-only" }, archive, ct);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }

        return Path.Combine(RemoteOnlyFolder, name);
    }

    /// <summary>
    /// Stops dockerd as a crash (<paramref name="kill"/>: SIGKILL) or a service restart would (SIGTERM: it stops its
    /// containers first), then starts it again with the same data root, exec root, port, certificates and bridge, and
    /// waits until it answers. The new dockerd gets a new mount namespace, so <see cref="RemoteOnlyFolder"/> starts
    /// empty again. What the engine does with its containers (restart policies) is its own.
    /// </summary>
    /// <returns>How long the engine was down: from the signal until it answered again.</returns>
    public async Task<TimeSpan> RestartAsync(bool kill, CancellationToken ct = default)
    {
        var down = Stopwatch.StartNew();
        await StopAsync(kill, ct);
        _process.Dispose();
        _process = Launch(_folder, _exec, _bridge, Port, Pki, Subnet, _log);
        await WaitAnsweringAsync(ct);
        return down.Elapsed;
    }

    /// <summary>Stops dockerd with SIGKILL (<paramref name="kill"/>) or SIGTERM and waits until it has exited.</summary>
    public async Task StopAsync(bool kill, CancellationToken ct = default)
    {
        if (_process.HasExited)
        {
            return;
        }

        var signal = kill ? "-KILL" : "-TERM";
        // A crash takes the engine's containerd along: a dockerd started next to the killed one's containerd adopts it and
        // then timed out waiting for it. The shims, and the containers under them, outlive both, as in any engine crash.
        var containerd = kill ? ContainerdPid() : null;
        (await TestProcess.RunAsync("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)], ct: ct)).EnsureSuccess($"kill {signal} dockerd");
        if (containerd is { } pid)
        {
            await TestProcess.RunAsync("kill", ["-KILL", pid], ct: ct);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        // Reaped before the next dockerd starts: it refuses to start while its pid file names a live (or zombie) process.
        await _process.WaitForExitAsync(limit.Token);
        while (containerd is not null && Directory.Exists($"/proc/{containerd}"))
        {
            await Task.Delay(100, limit.Token);
        }
    }

    private string? ContainerdPid()
    {
        var file = Path.Combine(_exec, "containerd", "containerd.pid");
        return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } pid && pid.All(char.IsAsciiDigit) ? pid : null;
    }

    /// <summary>Stops dockerd, its bridge and its rule, and removes its folders.</summary>
    public async ValueTask DisposeAsync()
    {
        await CleanUpAsync(_process, _folder, _exec, _bridge, _forwardRule);
        if (_hostBridge is not null)
        {
            await _hostBridge.DisposeAsync();
        }
    }

    // unshare execs the shell, which mounts the tmpfs and execs dockerd: one process, dockerd's pid.
    private static Process Launch(TempDirectory folder, string exec, string bridge, int port, EnginePki pki, string subnet, StringBuilder log)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount -t tmpfs -o size=64m,mode=0755 ostcp2-remote-only \"$0\" && exec dockerd \"$@\"",
            folder.Combine("remote-only"),
            "--host", $"tcp://{EnginePki.EngineAddress}:{port.ToString(CultureInfo.InvariantCulture)}",
            "--host", "unix://" + Path.Combine(exec, "docker.sock"),
            "--tlsverify",
            "--tlscacert", Path.Combine(pki.ServerFolder, "ca.pem"),
            "--tlscert", Path.Combine(pki.ServerFolder, "cert.pem"),
            "--tlskey", Path.Combine(pki.ServerFolder, "key.pem"),
            "--data-root", folder.Combine("data"),
            "--exec-root", exec,
            "--pidfile", Path.Combine(exec, "docker.pid"),
            "--bridge", bridge,
            "--default-address-pool", $"base={subnet},size=24",
            "--iptables=false",
            "--ip6tables=false",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dockerd did not start");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitAnsweringAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Exception? last = null;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var client = CreateClient();
                await Connection.CheckAsync(client, ct);
                return;
            }
            catch (EngineConnectionException e)
            {
                last = e;
                await Task.Delay(250, ct);
            }
        }

        throw new Xunit.Sdk.XunitException($"the second dockerd did not answer on {Host} ({last?.Message ?? "it exited"}):\n{Log}");
    }

    private static async Task CleanUpAsync(Process? process, TempDirectory folder, string exec, string bridge, string[] rule)
    {
        if (process is { HasExited: false })
        {
            // SIGTERM lets dockerd stop its containers and containerd and unmount its data root.
            (await TestProcess.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])).EnsureSuccess("kill -TERM dockerd");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        process?.Dispose();
        // Each step is tried whatever the one before did: a left-over bridge, rule or mount would outlive the test run.
        await TestProcess.RunAsync("iptables", ["-D", .. rule]);
        await TestProcess.RunAsync("ip", ["link", "delete", bridge]);
        foreach (var root in new[] { folder.Combine("data"), exec })
        {
            // Mounts a killed dockerd left behind, innermost first, so the folders can go.
            var mounts = File.ReadAllLines("/proc/self/mounts")
                .Select(l => l.Split(' ')[1])
                .Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal))
                .OrderByDescending(m => m.Length);
            foreach (var mount in mounts)
            {
                await TestProcess.RunAsync("umount", ["-l", mount]);
            }
        }

        try
        {
            Directory.Delete(exec, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        folder.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(EnginePki.EngineAddress, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // A 10.X.0.0/16 no route of this machine touches (so neither the first engine's networks nor another second engine's).
    private static (string Subnet, string BridgeAddress) FreeSubnet()
    {
        var routes = File.ReadAllLines("/proc/net/route").Skip(1)
            .Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 1)
            .Select(f => uint.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToHashSet();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var second = Random.Shared.Next(200, 250);
            // /proc/net/route holds destinations in host (little-endian) order: 10.X.Y.0 reads as 0x00YYXX0A.
            if (!routes.Any(r => (r & 0xFF) == 10 && ((r >> 8) & 0xFF) == second))
            {
                return ($"10.{second}.0.0/16", $"10.{second}.255.1/24");
            }
        }

        throw new InvalidOperationException("no free 10.X.0.0/16 for the second engine");
    }
}
