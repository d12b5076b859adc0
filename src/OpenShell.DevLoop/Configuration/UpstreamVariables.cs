using System.Collections;
using System.Globalization;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The one place OpenShell's upstream variables are mapped onto our settings keys, each with upstream's own reading
/// of its value (its flags are on only when exactly <c>1</c>; <c>DEPLOY_FAST_MODE</c> only when exactly <c>full</c>).
/// Precedence, highest first: an explicit <c>OpenShell__…</c> variable or <c>--OpenShell:…</c> switch, the variable in the
/// process environment, the variable in the repository's <c>.env</c>, the settings files.
/// </summary>
public static class UpstreamVariables
{
    /// <summary>
    /// Variable → key and conversion, in application order: a later variable for the same key wins within one layer
    /// (<c>IMAGE_REPO_BASE</c> over <c>OPENSHELL_REGISTRY</c>, as upstream).
    /// </summary>
    public static IReadOnlyList<UpstreamVariable> All { get; } =
    [
        new("CLUSTER_NAME", "OpenShell:Cluster:Name", Text),
        new("IMAGE_TAG", "OpenShell:Cluster:ImageTag", Text),
        new("OPENSHELL_REGISTRY", "OpenShell:Cluster:ImageRepoBase", v => v.TrimEnd('/')),
        new("IMAGE_REPO_BASE", "OpenShell:Cluster:ImageRepoBase", v => v.TrimEnd('/')),
        new("GATEWAY_PORT", "OpenShell:Cluster:GatewayPort", v => Port("GATEWAY_PORT", v)),
        new("CLUSTER_GPU", "OpenShell:Cluster:Gpu", IsOne),
        new("OPENSHELL_NODE_NAME", "OpenShell:Cluster:NodeName", Text),
        new("SKIP_CLUSTER_IMAGE_BUILD", "OpenShell:Cluster:SkipImageBuild", IsOne),
        new("REGISTRY_USERNAME", "OpenShell:Cluster:RegistryUsername", Text),
        new("REGISTRY_PASSWORD", "OpenShell:Cluster:RegistryPassword", Text),
        new("DEPLOY_FAST_STATE_FILE", "OpenShell:Deploy:StateFile", Text),
        new("DEPLOY_FAST_MODE", "OpenShell:Deploy:FullMode", v => v == "full" ? "true" : "false"),
        new("FORCE_HELM_UPGRADE", "OpenShell:Deploy:ForceHelmUpgrade", IsOne),
        new("DEPLOY_FAST_HELM_WAIT", "OpenShell:Deploy:HelmWait", IsOne),
        new("OPENSHELL_SUPERVISOR_BUILD", "OpenShell:Deploy:SupervisorBuild", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_TARBALL", "OpenShell:RuntimeBundle:Tarball", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64", "OpenShell:RuntimeBundle:TarballAmd64", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64", "OpenShell:RuntimeBundle:TarballArm64", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_URL", "OpenShell:RuntimeBundle:Url", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_URL_AMD64", "OpenShell:RuntimeBundle:UrlAmd64", Text),
        new("OPENSHELL_RUNTIME_BUNDLE_URL_ARM64", "OpenShell:RuntimeBundle:UrlArm64", Text),
        // remote-deploy.sh's tarball already on the engine's machine; used only with --skip-sync, as the script does.
        new("OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL", "OpenShell:RuntimeBundle:RemoteTarball", Text),
        // OpenShell's cluster image build names its image <IMAGE_REGISTRY>/cluster.
        new("IMAGE_REGISTRY", "OpenShell:Cluster:ImageRepository", v => v.TrimEnd('/') + "/cluster"),
        // docker-publish-multiarch.sh's variables; TAG_LATEST is on only for exactly "true", as its test reads it. Safer than
        // the script: a trailing "/" of DOCKER_REGISTRY is dropped (the script would name "<registry>//openshell-cluster").
        new("DOCKER_REGISTRY", "OpenShell:Publish:Registry", v => v.TrimEnd('/')),
        new("DOCKER_PLATFORMS", "OpenShell:Publish:Platforms", Text),
        new("TAG_LATEST", "OpenShell:Publish:TagLatest", v => v == "true" ? "true" : "false"),
        new("EXTRA_DOCKER_TAGS", "OpenShell:Publish:ExtraTags", Text),
        // The tag of the default k3s image, as OpenShell's build passes it to Dockerfile.cluster.
        new("K3S_VERSION", "OpenShell:Images:K3s", v => $"{DefaultK3sRepository}:{ImageTag("K3S_VERSION", v)}"),
    ];

    /// <summary><c>DOCKER_PLATFORM</c>: the cluster image's target platform (<c>linux/amd64</c> or <c>linux/arm64</c>).</summary>
    public const string DockerPlatform = "DOCKER_PLATFORM";

    /// <summary><c>OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY</c>: <c>1</c> verifies and stages the runtime bundle, then stops.</summary>
    public const string RuntimeBundleVerifyOnly = "OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY";

    private static readonly string DefaultK3sRepository = new ImageSettings().K3s[..new ImageSettings().K3s.LastIndexOf(':')];

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }

        return result;
    }

    /// <summary>
    /// The settings the upstream variables ask for, keyed by settings key, each with where it came from: the process
    /// environment wins over <paramref name="dotEnv"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value upstream would reject too (e.g. a port that is not a number).</exception>
    public static IReadOnlyDictionary<string, (string Value, string Origin)> Resolve(
        IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, string> dotEnv, string dotEnvPath = ".env")
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(dotEnv);
        var result = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        Layer(name => dotEnv.TryGetValue(name, out var v) ? v : null, name => $"{name} in {dotEnvPath}");
        Layer(name => environment.TryGetValue(name, out var v) ? v : null, name => $"{name} in the environment");
        return result;

        void Layer(Func<string, string?> read, Func<string, string> origin)
        {
            foreach (var variable in All)
            {
                if (read(variable.Name) is { } value && !string.IsNullOrWhiteSpace(value))
                {
                    result[variable.Key] = (variable.Convert(value.Trim()), origin(variable.Name));
                }
            }
        }
    }

    /// <summary>True when <c>OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY</c> is exactly <c>1</c>, as OpenShell tests it.</summary>
    public static bool IsVerifyOnly(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(RuntimeBundleVerifyOnly) == "1";
    }

    private static string ImageTag(string variable, string value) =>
        value.Length <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') && value[0] is not ('.' or '-')
            ? value
            : throw new InvalidOperationException($"{variable}={value} is not a valid image tag; use letters, digits, '_', '.' and '-' (for example v1.35.2-k3s1).");

    private static string Text(string value) => value;

    private static string IsOne(string value) => value == "1" ? "true" : "false";

    private static string Port(string variable, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? value
            : throw new InvalidOperationException($"{variable}={value} is not a TCP port; set it to a number between 1 and 65535, or unset it to pick a free one.");
}
