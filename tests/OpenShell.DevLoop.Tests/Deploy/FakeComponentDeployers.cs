using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>
/// The kind deployers without Docker or a cluster: each records what it was asked, in order, into one shared log
/// (<c>build canary</c>, <c>binary probe</c>, <c>chart chart: gateway=…, canary=…</c>, <c>rollout gateway …</c>) and
/// fails for the components named in <see cref="Failing"/>.
/// </summary>
internal sealed class FakeComponentDeployers : IDeployCluster, IImageComponentDeployer, IBinaryComponentDeployer, IHelmComponentDeployer
{
    public const string RepositoryBase = "127.0.0.1:5000/openshell";

    private readonly List<string> _log = [];

    /// <summary>Components whose deployer throws, with the message.</summary>
    public Dictionary<string, string> Failing { get; } = new(StringComparer.Ordinal);

    /// <summary>What each image's StatefulSet runs before the deploy, by component.</summary>
    public Dictionary<string, string> Running { get; } = new(StringComparer.Ordinal);

    /// <summary>Images the registry no longer holds (or, with null, cannot be asked about), by component; every other is held.</summary>
    public Dictionary<string, bool?> InRegistry { get; } = new(StringComparer.Ordinal);

    /// <summary>The pins each chart was applied with, by chart.</summary>
    public Dictionary<string, IReadOnlyList<ImagePin>> Pins { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public ComponentDeployers Set => new(this, this, this, this);

    public Task<DeployTarget> PrepareAsync(string repositoryRoot, DeployPlan plan, DeployRequest request, CancellationToken ct) =>
        Task.FromResult(new DeployTarget(repositoryRoot, plan, request, "0123456789ab", "amd64", connect: null));

    public string RepositoryOf(ComponentDefinition component) => $"{RepositoryBase}/{component.ImageSettings.Repository}";

    public async Task<string> BuildAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        await StepWorkAsync("build", component);
        return $"{RepositoryOf(component)}:dev";
    }

    public async Task<GatewayImage> PushAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        await StepWorkAsync("push", component);
        return new GatewayImage($"{RepositoryOf(component)}:dev", RepositoryOf(component), DigestOf(component.Name)) { BytesPushed = 10 };
    }

    public Task<bool?> RegistryHoldsAsync(ComponentDefinition component, string fingerprint, CancellationToken ct) =>
        Task.FromResult(InRegistry.TryGetValue(component.Name, out var held) ? held : true);

    public Task<string?> ReadRunningImageAsync(ComponentDefinition component, DeployTarget target, CancellationToken ct) =>
        Task.FromResult(Running.GetValueOrDefault(component.Name));

    public async Task WaitForRolloutAsync(ComponentDefinition component, string image, DeployTarget target, DeployRun run, CancellationToken ct) =>
        await StepWorkAsync("rollout", component, image);

    public async Task<string> DeployAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        await StepWorkAsync("binary", component, component.BinarySettings.NodePath);
        return ShaOf(component.Name);
    }

    public async Task<ChartApplied> ApplyAsync(
        ComponentDefinition chart, IReadOnlyList<ImagePin> images, bool waitForJob, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        lock (_log)
        {
            Pins[chart.Name] = images;
        }

        await StepWorkAsync("chart", chart, string.Join(", ", images.Select(i => $"{i.ValuesKey}={i.Repository}@{i.Digest ?? "kept"}")));
        return new ChartApplied(true, new string('c', 64), images.ToDictionary(i => i.ValuesKey, i => $"{i.Repository}@{i.Digest ?? "sha256:kept"}"));
    }

    public static string DigestOf(string component) => "sha256:" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(component)).PadRight(64, '0')[..64];

    public static string ShaOf(string component) => Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(component)).PadRight(64, 'f')[..64];

    private async Task StepWorkAsync(string what, ComponentDefinition component, string? detail = null)
    {
        // Yields, so binaries really run beside images and charts.
        await Task.Yield();
        lock (_log)
        {
            _log.Add(detail is null ? $"{what} {component.Name}" : $"{what} {component.Name} {detail}");
        }

        if (Failing.TryGetValue(component.Name, out var message))
        {
            throw new InvalidOperationException(message);
        }
    }
}
