using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// A <see cref="DeployClusterFixture"/> whose engine is a <see cref="SecondEngine"/> on <c>tcp://127.0.0.2</c> with TLS,
/// seeded with the offline images of the shared engine. The cluster image is not built beforehand: the first deploy
/// builds it on the second engine. What the shared engine holds with the fixture's names is listed before anything runs.
/// </summary>
public sealed class TcpDeployClusterFixture : DeployClusterFixture
{
    private SecondEngine? _engine;

    public TcpDeployClusterFixture()
        : base("ostcp2")
    {
    }

    /// <summary>The second engine, once started.</summary>
    public SecondEngine Engine => _engine ?? throw new InvalidOperationException("the second engine is not started");

    /// <summary>The engine every other test shares (this process's).</summary>
    public DockerClient Shared { get; } = DockerEngine.CreateClient();

    /// <summary>What the shared engine held with the fixture's names and labels before anything ran.</summary>
    public IReadOnlyList<string> SharedBefore { get; private set; } = [];

    protected override IReadOnlyDictionary<string, string?> EngineSettings => _engine is null
        ? new Dictionary<string, string?>()
        : new Dictionary<string, string?>
        {
            ["OpenShell:Engine:Host"] = _engine.Host,
            // The node runs pods as containers of the engine it runs on: the second engine's own socket on its machine.
            ["OpenShell:Engine:RemoteSocket"] = _engine.Socket,
            ["OpenShell:Cluster:SkipImageBuild"] = "false",
        };

    protected override bool PrimesOnStart => false;

    protected override bool BuildsClusterImage => false;

    /// <summary>
    /// The images a bootstrap and a deploy of the offline stack need on the engine: the node's bases, the gateway's base,
    /// the registry, and the sandbox image the deploy's sandbox verification starts.
    /// </summary>
    public static IReadOnlyList<string> SeedImages { get; } = [OfflineImages.K3s, OfflineImages.ClusterBase, OfflineImages.Debian, "openshell-offline/registry:2", OfflineImages.SandboxBase];

    public override async Task InitializeAsync()
    {
        if (DockerGate.SkipReason is null)
        {
            SharedBefore = await TracesAsync(Shared, Id);
            _engine = await SecondEngine.StartAsync();
        }

        try
        {
            await base.InitializeAsync();
        }
        catch
        {
            await StopEngineAsync();
            throw;
        }
    }

    public override async Task DisposeAsync()
    {
        try
        {
            if (DockerGate.SkipReason is null && RegistryPort != 0)
            {
                // What a comparison on the shared engine created there (its own registry port and gateway port).
                await RemoveFromAsync(Shared, LocalSettings);
            }

            await base.DisposeAsync();
        }
        finally
        {
            await StopEngineAsync();
            Shared.Dispose();
        }
    }

    /// <summary>
    /// The same cluster on the shared engine, for comparisons: its own registry and gateway ports, since the second engine's
    /// containers publish on the same loopback.
    /// </summary>
    public OpenShellSettings LocalSettings => LoadSettings(offline: true, new Dictionary<string, string?>(), new Dictionary<string, string?>
    {
        ["OpenShell:Engine:Host"] = DevLoop.Engine.EngineConnection.LocalSocket.ToString(),
        ["OpenShell:Registry:HostPort"] = _localRegistryPort.ToString(CultureInfo.InvariantCulture),
        ["OpenShell:Cluster:ImageRepoBase"] = $"127.0.0.1:{_localRegistryPort.ToString(CultureInfo.InvariantCulture)}/openshell",
        ["OpenShell:Cluster:GatewayPort"] = _localGatewayPort.ToString(CultureInfo.InvariantCulture),
    });

    private readonly int _localRegistryPort = FreeLoopbackPort();
    private readonly int _localGatewayPort = FreeLoopbackPort();

    /// <summary>
    /// Runs the built <c>openshell-dev deploy ARGS --offline -C ROOT</c> as a process, with the second engine chosen as
    /// Docker's client chooses it (<c>DOCKER_HOST</c>, <c>DOCKER_TLS_VERIFY</c>, <c>DOCKER_CERT_PATH</c>) and the fixture's
    /// settings as <c>OpenShell__…</c> variables.
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunDeployAsync(params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["DOCKER_CONTEXT"] = null, ["OpenShell__Engine__Host"] = null };
        foreach (var (key, value) in SettingOverrides.Where(s => s.Key != "OpenShell:Engine:Host"))
        {
            environment["OpenShell__" + key["OpenShell:".Length..].Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in Engine.ClientEnvironment)
        {
            environment[key] = value;
        }

        var outcome = await TestProcess.RunAsync("dotnet", [ClusterGpuAndSpecTests.CliAssembly, "deploy", .. args, "--offline", "-C", Root], Root, environment, TimeSpan.FromMinutes(8));
        return (outcome.ExitCode, outcome.Stdout, outcome.Stderr);
    }

    /// <summary>The containers, volumes, networks and images on <paramref name="docker"/> whose names, tags or labels carry <paramref name="id"/>.</summary>
    public static async Task<IReadOnlyList<string>> TracesAsync(IDockerClient docker, string id)
    {
        bool Has(string? text) => text?.Contains(id, StringComparison.Ordinal) == true;
        bool Labelled(IDictionary<string, string>? labels) => labels?.Any(l => Has(l.Key) || Has(l.Value)) == true;
        var traces = new List<string>();
        foreach (var container in await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true }))
        {
            if (container.Names.Any(Has) || Labelled(container.Labels) || Has(container.Image))
            {
                traces.Add($"container {string.Join(",", container.Names)} ({container.Image})");
            }
        }

        foreach (var volume in (await docker.Volumes.ListAsync()).Volumes ?? [])
        {
            if (Has(volume.Name) || Labelled(volume.Labels))
            {
                traces.Add($"volume {volume.Name}");
            }
        }

        foreach (var network in await docker.Networks.ListNetworksAsync())
        {
            if (Has(network.Name) || Labelled(network.Labels))
            {
                traces.Add($"network {network.Name}");
            }
        }

        foreach (var image in await docker.Images.ListImagesAsync(new ImagesListParameters { All = true }))
        {
            if ((image.RepoTags ?? []).Any(Has) || Labelled(image.Labels))
            {
                traces.Add($"image {image.ID} {string.Join(",", image.RepoTags ?? [])}");
            }
        }

        return traces;
    }

    protected override DockerClient CreateDockerClient() => Engine.CreateClient();

    // The shared engine has (or builds) the stand-ins; the second engine gets a copy, as a remote machine would be seeded.
    protected override async Task EnsureBaseImageAsync()
    {
        await OfflineImages.EnsureAsync(Shared);
        await Engine.CopyImagesAsync(Shared, SeedImages);
    }

    private async Task StopEngineAsync()
    {
        if (_engine is { } engine)
        {
            _engine = null;
            await engine.DisposeAsync();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
