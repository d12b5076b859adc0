using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Publishing;

/// <summary>Everything a multi-architecture publish needs; <see cref="From"/> fills it from the settings.</summary>
/// <param name="RepositoryRoot">The checkout the images are built from.</param>
/// <param name="Target">Where and what to push.</param>
public sealed record PublishRequest(string RepositoryRoot, PublishTarget Target)
{
    /// <summary>The k3s image (<c>K3S_VERSION</c> / <c>OpenShell:Images:K3s</c>); other architectures use its <c>-&lt;arch&gt;</c> tag.</summary>
    public string K3sImage { get; init; } = new ImageSettings().K3s;

    /// <summary>The cluster image's glibc base.</summary>
    public string ClusterBase { get; init; } = new ImageSettings().ClusterBase;

    /// <summary>The gateway image's base (runtime-deps).</summary>
    public string GatewayBase { get; init; } = new ImageSettings().RuntimeDeps;

    /// <summary>
    /// Reads <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL_&lt;ARCH&gt;</c> by its name. Only the per-architecture variables are
    /// read: a publish never falls back to the single-architecture one.
    /// </summary>
    public Func<string, string?> BundleVariable { get; init; } = _ => null;

    /// <summary>The registry login; null works anonymously.</summary>
    public RegistryCredential? Credential { get; init; }

    /// <summary>Speak plain HTTP to a registry that is not on this machine.</summary>
    public bool InsecureRegistry { get; init; }

    /// <summary>Where staged bundles, the chart and the manifests go; null means <c>.cache/publish</c>.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>The effective work folder.</summary>
    public string EffectiveWorkDirectory => WorkDirectory ?? new FileSystem.CachePaths(RepositoryRoot).Publish;

    /// <summary>
    /// Where release supervisors are kept by their inputs (<c>OpenShell:Images:SupervisorCache</c>, shared with cluster
    /// image builds); null means the work folder's <c>supervisor</c>.
    /// </summary>
    public string? SupervisorCache { get; init; }

    /// <summary>The effective release supervisor cache.</summary>
    public string EffectiveSupervisorCache => SupervisorCache ?? Path.Combine(EffectiveWorkDirectory, "supervisor");

    /// <summary>The request for <paramref name="settings"/>, whose bundle settings give the per-architecture tarballs.</summary>
    /// <exception cref="PublishException">No registry, or an unsupported platform.</exception>
    public static PublishRequest From(OpenShellSettings settings, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var publish = settings.Publish;
        var target = PublishTarget.From(publish.Registry, settings.Cluster.ImageTag, publish.Platforms, publish.TagLatest, publish.ExtraTags);
        return new PublishRequest(repositoryRoot, target)
        {
            K3sImage = settings.Images.K3s,
            ClusterBase = settings.Images.ClusterBase,
            GatewayBase = settings.Images.RuntimeDeps,
            BundleVariable = name => name.EndsWith("_AMD64", StringComparison.Ordinal) || name.EndsWith("_ARM64", StringComparison.Ordinal)
                ? settings.RuntimeBundle.Variable(name)
                : null,
            Credential = RegistryLogin.Resolve(target.Host, settings.Cluster.RegistryUsername, settings.Cluster.RegistryPassword),
            InsecureRegistry = publish.InsecureRegistry,
            SupervisorCache = string.IsNullOrWhiteSpace(settings.Images.SupervisorCache) ? null : Path.GetFullPath(settings.Images.SupervisorCache, repositoryRoot),
        };
    }
}
