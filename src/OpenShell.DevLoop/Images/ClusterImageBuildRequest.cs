namespace OpenShell.DevLoop.Images;

/// <summary>What to build the cluster image from.</summary>
/// <param name="RepositoryRoot">The repository (its <c>deploy/</c> and <c>src/OpenShell.Sandbox</c> are used).</param>
/// <param name="Tag">The image to produce, e.g. <c>openshell/cluster:dev</c>.</param>
/// <param name="BaseImage">The k3s image to build on (<c>K3S_IMAGE</c>).</param>
public sealed record ClusterImageBuildRequest(string RepositoryRoot, string Tag, string BaseImage)
{
    /// <summary>The glibc OS base the final stage starts from (<c>OpenShell:Images:ClusterBase</c>).</summary>
    public string ClusterBase { get; init; } = new Configuration.ImageSettings().ClusterBase;

    /// <summary>What a missing <see cref="ClusterBase"/> is built from (<c>OpenShell:Images:ClusterBaseFrom</c>); empty: it cannot be built here.</summary>
    public string? ClusterBaseFrom { get; init; } = new Configuration.ImageSettings().ClusterBaseFrom;

    /// <summary>The target architecture (<c>--arch</c>); with <see cref="Platform"/> unset and this null, the Docker engine's (the host's when only the bundle is staged).</summary>
    public string? Architecture { get; init; }

    /// <summary>The target platform as OpenShell's build script takes it (<c>DOCKER_PLATFORM</c>: <c>linux/amd64</c> or <c>linux/arm64</c>); wins over <see cref="Architecture"/>.</summary>
    public string? Platform { get; init; }

    /// <summary>The runtime bundle tarball; null resolves it from <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL[_ARCH]</c> or the URL variables.</summary>
    public string? BundleTarball { get; init; }

    /// <summary>Reads the runtime bundle variables when <see cref="BundleTarball"/> is null; null reads the process environment.</summary>
    public Func<string, string?>? BundleVariables { get; init; }

    /// <summary>A prebuilt supervisor binary for the architecture; null publishes <c>src/OpenShell.Sandbox</c>.</summary>
    public string? SupervisorBinary { get; init; }

    /// <summary>
    /// Where the release supervisor is kept by its inputs (<see cref="Publishing.ReleaseSupervisorCache"/>), so a bootstrap
    /// whose supervisor did not change reuses the binary instead of linking it again; null: the checkout's
    /// <c>.cache/publish/supervisor</c>.
    /// </summary>
    public string? SupervisorCache { get; init; }

    /// <summary>Receives the progress of pulling missing base images (the k3s image, any other <c>FROM</c> of the Dockerfile).</summary>
    public IProgress<Docker.ImagePullProgress>? PullProgress { get; init; }

    /// <summary>Where staged and packaged inputs go; null means <c>deploy/docker/.build</c>.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>The request for <paramref name="settings"/>: their cluster image, k3s image and cluster base.</summary>
    public static ClusterImageBuildRequest From(Configuration.OpenShellSettings settings, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(repositoryRoot, settings.Cluster.Image, settings.Images.K3s)
        {
            ClusterBase = settings.Images.ClusterBase,
            ClusterBaseFrom = settings.Images.ClusterBaseFrom,
            SupervisorCache = string.IsNullOrWhiteSpace(settings.Images.SupervisorCache) ? null : Path.GetFullPath(settings.Images.SupervisorCache, repositoryRoot),
        };
    }

    /// <summary>The effective release supervisor cache.</summary>
    public string EffectiveSupervisorCache => SupervisorCache ?? new FileSystem.CachePaths(RepositoryRoot).ReleaseSupervisors;

    /// <summary>The effective work folder.</summary>
    public string EffectiveWorkDirectory => WorkDirectory ?? Path.Combine(RepositoryRoot, "deploy", "docker", ".build");
}
