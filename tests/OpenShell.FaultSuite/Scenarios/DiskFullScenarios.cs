using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cli;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;
using OpenShell.Testing;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// A file system that fills up under the loop: a small tmpfs over the runtime bundle's stage folder, and over the clone's
/// <c>.cache</c> while a deploy publishes or writes its state. The tmpfs lives in a mount namespace of its own: the child
/// is this program (<c>child-disk …</c>, <see cref="ChildAsync"/>) started by <c>unshare -m --propagation private</c>, so
/// the mount is seen by that process alone. The child runs <c>openshell-dev</c> in process on the full file system, grows
/// the tmpfs (space freed), runs it again, and writes what it saw to a report outside the tmpfs.
/// </summary>
internal static class DiskFullScenarios
{
    private const string Arch = "amd64";
    private const string Filler = ".osfld-filler";
    private const string ModeStage = "stage";
    private const string ModePublish = "publish";
    private const string ModeState = "state";

    public static IEnumerable<FaultScenario> All() =>
    [
        new("disk full while staging a bundle", "tmpfs (1 MiB) over the stage folder", StageAsync),
        new("disk full while publishing", "tmpfs over .cache (build artifacts aside), 1 MiB free at the supervisor publish", ct => DeployAsync(ModePublish, ct)) { NeedsDocker = true },
        new("disk full before the state write", $"tmpfs over .cache, filled at {DeployFaultPoints.ChartUpdate}", ct => DeployAsync(ModeState, ct)) { NeedsDocker = true },
    ];

    /// <summary>What the child saw: each run of openshell-dev, and the tmpfs's files after it.</summary>
    internal sealed record Report(Run Full, Run Freed, string? StateBefore);

    /// <summary>One run of openshell-dev in the child.</summary>
    internal sealed record Run(int ExitCode, string Stdout, string Stderr, double Seconds, IReadOnlyList<string> Files, string? State);

    /// <summary>The child's work, inside its own mount namespace (<c>child-disk MODE REPORT ARGS…</c>).</summary>
    public static async Task<int> ChildAsync(string mode, string reportPath, string[] args)
    {
        var report = mode switch
        {
            ModeStage => await StageChildAsync(args[0], args[1]),
            ModePublish or ModeState => await DeployChildAsync(mode, args[0], args[1]),
            _ => null,
        };
        if (report is null)
        {
            await Console.Error.WriteLineAsync($"no child work for the mode '{mode}'");
            return 2;
        }

        await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(report));
        return 0;
    }

    private static async Task<ScenarioResult> StageAsync(CancellationToken ct)
    {
        using var temp = new TempDirectory("osfld-stage");
        var tarball = await PackBundleAsync(temp.Path, ct);
        var stage = temp.Combine("stage");
        Directory.CreateDirectory(stage);
        var report = await RunChildAsync([ModeStage, temp.Combine("report.json"), tarball, stage], new Dictionary<string, string?>(), ct);

        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of(Invariants.NoFalseSuccess, report.Full.ExitCode != 0 && !report.Full.Files.Any(f => f.EndsWith("/manifest.json", StringComparison.Ordinal)) ? null
                : $"exit {report.Full.ExitCode} on a full disk, staged: {string.Join(", ", report.Full.Files)}"),
            ErrorNamesDiskFull(report.Full.Stderr, stage, "--dest"),
            InvariantCheck.Of(Invariants.NoLeftovers, report.Full.Files.Count == 0 ? null : $"after the failure the stage holds {string.Join(", ", report.Full.Files)}"),
            InvariantCheck.Of(Invariants.Converges, report.Freed.ExitCode == 0 && report.Freed.Files.Any(f => f.EndsWith("/manifest.json", StringComparison.Ordinal))
                && !report.Freed.Files.Any(f => f.Contains(".staging-", StringComparison.Ordinal))
                ? null : $"after space was freed: exit {report.Freed.ExitCode}: {report.Freed.Stderr.Trim()}; staged: {string.Join(", ", report.Freed.Files)}"),
        };
        return new ScenarioResult("", "", report.Full.ExitCode == 0 ? "staged on a full disk?" : "stage failed clearly; staged after space was freed",
            TimeSpan.FromSeconds(report.Freed.Seconds), checks);
    }

    private static async Task<ScenarioResult> DeployAsync(string mode, CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        if (cluster.Prime.ExitCode != 0)
        {
            throw new InvalidOperationException($"the suite's cluster did not come up: {cluster.Prime.Stdout}\n{cluster.Prime.Stderr}");
        }

        // A plain deploy first, so that only the edit below is left to deploy.
        var settled = await cluster.DeployAsync();
        if (settled.ExitCode != 0)
        {
            throw new InvalidOperationException($"the deploy before the fault failed: {settled.Stderr}");
        }

        var edited = mode == ModePublish ? "src/OpenShell.Sandbox/Program.cs" : "deploy/helm/openshell/values.yaml";
        File.AppendAllText(Path.Combine(cluster.Root, edited), mode == ModePublish ? $"// {Guid.NewGuid():N}\n" : $"# {Guid.NewGuid():N}\n");
        var component = mode == ModePublish ? "supervisor" : "helm";

        using var temp = new TempDirectory("osfld-deploy");
        var environment = cluster.SettingOverrides.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        var report = await RunChildAsync([mode, temp.Combine("report.json"), cluster.Root, temp.Combine("real")], environment, ct);

        var before = StateOf(report.StateBefore);
        var afterFull = StateOf(report.Full.State);
        var cache = Path.Combine(cluster.Root, ".cache");
        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of(Invariants.NoFalseSuccess, report.Full.ExitCode != 0 && afterFull?.Fingerprints.GetValueOrDefault(component) == before?.Fingerprints.GetValueOrDefault(component)
                ? null : $"exit {report.Full.ExitCode} on a full disk; the state's {component} went from {before?.Fingerprints.GetValueOrDefault(component)} to {afterFull?.Fingerprints.GetValueOrDefault(component)}"),
            ErrorNamesDiskFull(report.Full.Stderr, cache, "deploy"),
            InvariantCheck.Of(Invariants.NoLeftovers, Leftovers(report.Full.Files) is { Count: > 0 } left ? $"after the failure: {string.Join(", ", left)}"
                : Leftovers(report.Freed.Files) is { Count: > 0 } later ? $"after the next deploy: {string.Join(", ", later)}" : null),
            InvariantCheck.Of(Invariants.Converges, report.Freed.ExitCode == 0 ? null : $"after space was freed: exit {report.Freed.ExitCode}: {report.Freed.Stderr.Trim()}"),
        };

        // The child's state went back to the real .cache: it must name what the cluster now runs.
        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, await cluster.ContainerIdAsync(), kube);
        checks.Add(await Invariants.StateMatchesAsync(state, ComponentCatalog.Load(cluster.Root).Components, source, ct));
        checks.Add(InvariantCheck.Of("state has the edit", state?.Fingerprints.GetValueOrDefault(component) != before?.Fingerprints.GetValueOrDefault(component)
            ? null : $"the {component} fingerprint did not move after the edit was deployed"));
        return new ScenarioResult("", "", report.Full.ExitCode == 0 ? "deployed on a full disk?" : "deploy failed clearly; converged after space was freed",
            TimeSpan.FromSeconds(report.Freed.Seconds), checks);
    }

    private static InvariantCheck ErrorNamesDiskFull(string stderr, string folder, string remedyWord)
    {
        var missing = new[] { "no space left", folder, "free", remedyWord }.Where(w => !stderr.Contains(w, StringComparison.OrdinalIgnoreCase)).ToList();
        if (stderr.Contains("   at ", StringComparison.Ordinal))
        {
            missing.Add("(a stack trace instead of a message)");
        }

        return InvariantCheck.Of(Invariants.ClearError, missing.Count == 0 ? null : $"the error lacks {string.Join(", ", missing.Select(m => $"'{m}'"))}: {stderr.Trim()}");
    }

    private static List<string> Leftovers(IEnumerable<string> files) =>
        [.. files.Where(f => Path.GetFileName(f) is var name && (name.EndsWith(".tmp", StringComparison.Ordinal) || name.StartsWith(".staging-", StringComparison.Ordinal)))];

    private static DeployState? StateOf(string? text) => text is null ? null : DeployStateStore.Parse(text, "report").State;

    private static async Task<Report> RunChildAsync(string[] args, IDictionary<string, string?> environment, CancellationToken ct)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var outcome = await TestProcess.RunAsync("unshare", ["-m", "--propagation", "private", dotnet, typeof(DiskFullScenarios).Assembly.Location, "child-disk", .. args],
            environment: environment, timeout: TimeSpan.FromMinutes(10), ct: ct);
        var reportPath = args[1];
        if (outcome.ExitCode != 0 || !File.Exists(reportPath))
        {
            throw new InvalidOperationException($"the child in its mount namespace failed (exit {outcome.ExitCode}):\n{outcome.Stdout}\n{outcome.Stderr}");
        }

        return JsonSerializer.Deserialize<Report>(await File.ReadAllTextAsync(reportPath, ct)) ?? throw new InvalidOperationException("an empty report");
    }

    // A bundle whose library is 4 MiB of random bytes: it compresses to nothing less, and fills a 1 MiB stage.
    private static async Task<string> PackBundleAsync(string folder, CancellationToken ct)
    {
        var root = Path.Combine(folder, "install-root");
        foreach (var binary in new[] { "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk" })
        {
            Write(root, $"usr/bin/{binary}", System.Text.Encoding.UTF8.GetBytes($"#!/bin/sh\necho {binary}\n"), (UnixFileMode)0x1ED);
        }

        Write(root, "etc/nvidia-container-runtime/config.toml", "[nvidia-container-runtime]\n"u8.ToArray(), (UnixFileMode)0x1A4);
        Write(root, "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8", RandomNumberGenerator.GetBytes(4 << 20), (UnixFileMode)0x1A4);
        File.CreateSymbolicLink(Path.Combine(root, "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");
        var tarball = Path.Combine(folder, "bundle.tar.gz");
        await RuntimeBundlePacker.PackAsync(root, Arch, tarball, new BundlePackOptions(), ct);
        return tarball;
    }

    private static void Write(string root, string relative, byte[] content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, mode);
    }

    // ---- the child, in its own mount namespace ----

    private static async Task<Report> StageChildAsync(string tarball, string stage)
    {
        await MountAsync("-t", "tmpfs", "-o", "size=1m", "tmpfs", stage);
        var full = await RunCliAsync(["bundle", "stage", tarball, "--arch", Arch, "--dest", stage], stage, null);

        // Space freed: the file system grows.
        await MountAsync("-o", "remount,size=64m", stage);
        var freed = await RunCliAsync(["bundle", "stage", tarball, "--arch", Arch, "--dest", stage], stage, null);
        return new Report(full, freed, null);
    }

    private static async Task<Report> DeployChildAsync(string mode, string root, string real)
    {
        // The real .cache stays reachable at REAL; a tmpfs takes its place, holding a copy of everything but the publish
        // outputs, which the deploy then writes on the small file system.
        var cache = Path.Combine(root, ".cache");
        Directory.CreateDirectory(real);
        await MountAsync("--bind", cache, real);
        await MountAsync("-t", "tmpfs", "-o", "size=64m", "tmpfs", cache);
        Copy(real, cache, skip: Path.Combine(real, "deploy"));
        var statePath = Path.Combine(cache, Path.GetFileName(DeployStateStore.DefaultRelativePath));
        var stateBefore = File.Exists(statePath) ? await File.ReadAllTextAsync(statePath) : null;

        var filler = Path.Combine(cache, Filler);
        if (mode == ModePublish)
        {
            // The supervisor's intermediate files stay on the real disk, as a warm checkout has them, so the build is
            // incremental; its output lands on the full tmpfs.
            var artifacts = Path.GetFullPath(Path.Combine(new CachePaths(root).SupervisorPublish(Arch, SupervisorBuild.Dev), "..", "artifacts"));
            var realArtifacts = Path.Combine(real, Path.GetRelativePath(cache, artifacts));
            if (Directory.Exists(realArtifacts))
            {
                Directory.CreateDirectory(artifacts);
                await MountAsync("--bind", realArtifacts, artifacts);
            }

            Fill(filler, leave: 1 << 20);
        }
        else
        {
            // The chart is packaged and about to be applied: the disk fills before the state write.
            DeployFaultPoints.Reached = (point, _) =>
            {
                if (point == DeployFaultPoints.ChartUpdate)
                {
                    Fill(filler, leave: 0);
                }

                return Task.CompletedTask;
            };
        }

        var deploy = new[] { "deploy", "--offline", "-C", root };
        var full = await RunCliAsync(deploy, cache, statePath);
        DeployFaultPoints.Reached = null;

        // Space freed: the filler goes and the file system grows.
        File.Delete(filler);
        await MountAsync("-o", "remount,size=1g", cache);
        var freed = await RunCliAsync(deploy, cache, statePath);

        // The state the cluster now matches goes back to the real .cache, so the suite's next scenarios start from it.
        if (File.Exists(statePath))
        {
            var back = Path.Combine(real, Path.GetFileName(statePath));
            File.Copy(statePath, back + ".osfld", overwrite: true);
            File.Move(back + ".osfld", back, overwrite: true);
        }

        return new Report(full, freed, stateBefore);
    }

    private static async Task<Run> RunCliAsync(string[] args, string folder, string? statePath)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        int exit;
        try
        {
            exit = await CliApp.RunAsync(args, stdout, stderr);
        }
        catch (Exception ex)
        {
            // What reached the top of openshell-dev: the process would have died with this.
            await stderr.WriteLineAsync($"unhandled: {ex}");
            exit = 134;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var files = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith(Filler, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var state = statePath is not null && File.Exists(statePath) ? await File.ReadAllTextAsync(statePath) : null;
        return new Run(exit, stdout.ToString(), stderr.ToString(), seconds, files, state);
    }

    // Writes the filler until the file system is full, then gives back <leave> bytes.
    private static void Fill(string path, long leave)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 1);
        var chunk = new byte[1 << 20];
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
        }

        stream.SetLength(Math.Max(0, stream.Length - leave));
    }

    private static void Copy(string from, string to, string skip)
    {
        bool Kept(string path) => path != skip && !path.StartsWith(skip + "/", StringComparison.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories).Where(Kept))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(Kept))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static async Task MountAsync(params string[] args) =>
        (await TestProcess.RunAsync("mount", args, timeout: TimeSpan.FromSeconds(30))).EnsureSuccess($"mount {string.Join(' ', args)}");
}
