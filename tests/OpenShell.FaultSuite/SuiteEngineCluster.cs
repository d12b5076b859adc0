using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Cli.Tests.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;

namespace OpenShell.FaultSuite;

/// <summary>
/// The offline cluster the engine-restart scenarios share: a private <see cref="SecondEngine"/> (never the engine other
/// tests use, since these scenarios restart it), seeded from the shared engine, and a registry and node on it (every name
/// carrying <c>osfle</c>), bootstrapped and primed by <c>openshell-dev deploy</c> run as a process on first use. It deploys
/// <see cref="SuiteCluster"/>'s clone, as a second cluster of that checkout (its own name and state file), so the first
/// deploy finds the builds done; its scenarios run after the shared cluster's (<see cref="ScenarioOrderer"/>), since they
/// edit that clone. Its cluster image is <see cref="SuiteCluster"/>'s too, streamed over (a copy costs seconds, a build on
/// this engine minutes). <see cref="RemoveAsync"/> stops the engine, which takes everything on it along.
/// </summary>
public sealed class SuiteEngineCluster : DeployClusterFixture
{
    /// <summary>What the gateway's build, a push and the sandbox check need besides the cluster image.</summary>
    private static readonly string[] s_deployImages = [OfflineImages.Debian, "openshell-offline/registry:2", OfflineImages.SandboxBase];

    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static SuiteEngineCluster? s_instance;
    private static Exception? s_failed;

    private readonly DockerClient _shared = DockerEngine.CreateClient();
    private readonly string _sharedClusterImage;
    private SecondEngine? _engine;

    private SuiteEngineCluster(SuiteCluster shared)
        : base("osfle", shared.Root)
    {
        _sharedClusterImage = shared.ClusterImage;
    }

    /// <summary>The private engine the cluster runs on.</summary>
    public SecondEngine Engine => _engine ?? throw new InvalidOperationException("the private engine is not started");

    /// <summary>How the cluster image came to the private engine, and how long the set-up took.</summary>
    public string Setup { get; private set; } = "";

    /// <summary>The first <c>openshell-dev deploy</c> (bootstrap and prime).</summary>
    public ProcessOutcome Primed { get; private set; } = new(-1, "", "");

    protected override IReadOnlyDictionary<string, string?> EngineSettings => _engine is null
        ? new Dictionary<string, string?>()
        : new Dictionary<string, string?>
        {
            ["OpenShell:Engine:Host"] = _engine.Host,
            ["OpenShell:Engine:RemoteSocket"] = _engine.Socket,
        };

    protected override bool PrimesOnStart => false;

    protected override bool BuildsClusterImage => false;

    /// <summary>The shared cluster when one was made already; else null.</summary>
    public static SuiteEngineCluster? Existing => Volatile.Read(ref s_instance);

    /// <summary>The shared cluster, bootstrapped and primed on first use.</summary>
    public static async Task<SuiteEngineCluster> GetAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            // A set-up that failed fails the other scenarios at once rather than taking minutes to fail again.
            if (s_failed is not null)
            {
                throw new InvalidOperationException("the cluster on the private engine did not come up", s_failed);
            }

            if (s_instance is null)
            {
                var cluster = new SuiteEngineCluster(await SuiteCluster.GetAsync());
                try
                {
                    await cluster.InitializeAsync();
                }
                catch (Exception ex)
                {
                    s_failed = ex;
                    await cluster.DisposeAsync();
                    throw;
                }

                s_instance = cluster;
            }

            return s_instance;
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Removes the cluster and stops its engine, when one was made.</summary>
    public static async Task RemoveAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            if (s_instance is { } cluster)
            {
                s_instance = null;
                await cluster.DisposeAsync();
            }
        }
        finally
        {
            s_gate.Release();
        }
    }

    public override async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _engine = await SecondEngine.StartAsync();
        await base.InitializeAsync();
        var seeded = clock.Elapsed;
        // The first deploy finds the gateway and the supervisor built: it builds the image on this engine, pushes and bootstraps.
        using (var child = StartDeploy(point: null, markers: null))
        {
            Primed = await WaitAsync(child, TimeSpan.FromMinutes(25));
        }

        Setup = $"the shared cluster's clone and cluster image; engine seeded in {seeded.TotalSeconds:0.0} s, bootstrap and first deploy {(clock.Elapsed - seeded).TotalSeconds:0.0} s";
        if (Primed.ExitCode != 0)
        {
            throw new InvalidOperationException($"the cluster on the private engine did not come up ({Setup}):\n{Primed.Stdout}\n{Primed.Stderr}");
        }
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (HttpRequestException)
        {
            // The engine did not come back from a scenario's restart: what was on it goes with it below (the clone is the
            // shared cluster's, removed with it).
        }
        finally
        {
            if (_engine is { } engine)
            {
                _engine = null;
                await engine.DisposeAsync();
            }

            _shared.Dispose();
        }
    }

    /// <summary>
    /// Starts <c>openshell-dev deploy --offline -C ROOT</c> as a process (this program's <c>child-engine</c> form) on the
    /// private engine, chosen as Docker's client chooses it; at <paramref name="point"/> (null: none) it writes a marker
    /// into <paramref name="markers"/> and goes on.
    /// </summary>
    public Process StartDeploy(string? point, string? markers)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(SuiteEngineCluster).Assembly.Location, "child-engine", point ?? "-", markers ?? "-", Root })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("DOCKER_CONTEXT");
        foreach (var (key, value) in SettingOverrides.Where(s => s.Key != "OpenShell:Engine:Host"))
        {
            start.Environment["OpenShell__" + key["OpenShell:".Length..].Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in Engine.ClientEnvironment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("the deploy process did not start");
    }

    /// <summary>Runs a deploy as <see cref="StartDeploy"/> does and waits for it (10 minutes at most).</summary>
    public async Task<ProcessOutcome> DeployAsync(string? point, string? markers)
    {
        using var child = StartDeploy(point, markers);
        return await WaitAsync(child, TimeSpan.FromMinutes(10));
    }

    /// <summary>Waits for <paramref name="child"/> (<paramref name="limit"/> at most, then it is killed) and returns what it printed.</summary>
    public static async Task<ProcessOutcome> WaitAsync(Process child, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(child);
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
        }

        var outcome = new ProcessOutcome(child.ExitCode, await stdout, await stderr);
        return timeout.IsCancellationRequested ? outcome with { Stderr = $"killed after {limit.TotalMinutes:0} min\n{outcome.Stderr}" } : outcome;
    }

    // The shared engine has (or builds) the stand-ins; the private engine gets a copy of them and of the suite's cluster
    // image, which the shared cluster builds once (a copy costs seconds, a build on this engine minutes).
    protected override async Task EnsureBaseImageAsync()
    {
        await OfflineImages.EnsureAsync(_shared);
        await Engine.CopyImagesAsync(_shared, s_deployImages);
        await Engine.CopyImagesAsync(_shared, [_sharedClusterImage]);
        using var docker = Engine.CreateClient();
        var target = ImageReference.Parse(ClusterImage);
        await docker.Images.TagImageAsync(_sharedClusterImage, new ImageTagParameters { RepositoryName = target.Repository, Tag = target.Tag }, CancellationToken.None);
    }

    protected override DockerClient CreateDockerClient() => Engine.CreateClient();
}
