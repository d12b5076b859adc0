using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// Binds <see cref="OpenShellSettings"/> once from every layer, highest first: an explicit key (an <c>OpenShell__…</c>
/// variable, a <c>--OpenShell:…</c> switch, an in-memory override), an upstream variable in the process environment, an
/// upstream variable in the repository's <c>.env</c>, the settings files (JSON), the defaults. Remembers where each
/// value came from, for <c>openshell-dev config</c>.
/// </summary>
public static class SettingsLoader
{
    private const string Masked = "********";

    /// <summary>Resolves the settings.</summary>
    /// <param name="configuration">Settings files, environment and switches, as the host built them.</param>
    /// <param name="defaultRepositoryRoot">The checkout when <c>OpenShell:DevHost:RepositoryRoot</c> is not set; its <c>.env</c> is read. Null reads no <c>.env</c>.</param>
    /// <param name="environment">The process environment (upstream variables are read from it).</param>
    /// <exception cref="InvalidOperationException">A value is unusable; the message names the key or variable and the fix.</exception>
    public static (OpenShellSettings Settings, IReadOnlyList<ResolvedSetting> Sources, IReadOnlyList<string> Warnings) Resolve(
        IConfiguration configuration, string? defaultRepositoryRoot, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var explicitRoot = configuration["OpenShell:DevHost:RepositoryRoot"];
        var repositoryRoot = !string.IsNullOrWhiteSpace(explicitRoot) ? Path.GetFullPath(explicitRoot)
            : defaultRepositoryRoot is null ? null : Path.GetFullPath(defaultRepositoryRoot);
        var dotEnv = repositoryRoot is null ? null : DotEnvFile.Load(repositoryRoot);
        var upstream = UpstreamVariables.Resolve(environment, dotEnv?.Values ?? new Dictionary<string, string>(), ".env");

        var effective = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var origins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, type) in Keys())
        {
            var (value, provider) = Find(configuration, key);
            var isFile = provider is FileConfigurationProvider;
            string? chosen;
            if (value is not null && !isFile)
            {
                (chosen, origins[key]) = (value, Describe(provider, key));
            }
            else if (upstream.TryGetValue(key, out var variable))
            {
                (chosen, origins[key]) = (variable.Value, variable.Origin);
            }
            else if (value is not null)
            {
                (chosen, origins[key]) = (value, Describe(provider, key));
            }
            else
            {
                continue;
            }

            effective[key] = type == typeof(bool) && !string.IsNullOrWhiteSpace(chosen)
                ? BooleanSetting.Parse(key, chosen).ToString(CultureInfo.InvariantCulture)
                : chosen;
        }

        var settings = new OpenShellSettings();
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(effective).Build().GetSection(OpenShellSettings.SectionName).Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"The OpenShell settings cannot be read: {ex.Message} Fix the value in the settings file, variable or switch that sets it.", ex);
        }

        settings.DevHost.RepositoryRoot = repositoryRoot;
        settings.Validate();
        var sources = Keys().Select(k => new ResolvedSetting(k.Key, Display(settings, k.Key), origins.GetValueOrDefault(k.Key, "default"))).ToList();
        return (settings, sources, dotEnv?.Warnings ?? []);
    }

    /// <summary>Every settings key with its type, in declaration order.</summary>
    public static IEnumerable<(string Key, Type Type)> Keys() => KeysOf(typeof(OpenShellSettings), OpenShellSettings.SectionName);

    // The settings are walked by reflection; an ahead-of-time-compiled front end (openshell-dev-plan) keeps what is walked.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(OpenShellSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(EngineSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ImageSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(RegistrySettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ClusterSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(DeploySettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(RuntimeBundleSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(DevHostSettings))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(PublishSettings))]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only the settings classes are walked; the attributes above keep their public properties.")]
    private static PropertyInfo[] SettingsProperties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)];

    private static IEnumerable<(string Key, Type Type)> KeysOf(Type type, string prefix)
    {
        foreach (var property in SettingsProperties(type))
        {
            var key = $"{prefix}:{property.Name}";
            var simple = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (simple.IsPrimitive || simple == typeof(string) || simple.IsEnum)
            {
                yield return (key, simple);
            }
            else
            {
                foreach (var nested in KeysOf(property.PropertyType, key))
                {
                    yield return nested;
                }
            }
        }
    }

    private static (string? Value, IConfigurationProvider? Provider) Find(IConfiguration configuration, string key)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return (configuration[key], null);
        }

        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(key, out var value))
            {
                return (value, provider);
            }
        }

        return (null, null);
    }

    private static string Describe(IConfigurationProvider? provider, string key) => provider switch
    {
        FileConfigurationProvider file => file.Source.Path ?? "a settings file",
        null => "configuration",
        _ when provider.GetType().Name.StartsWith("EnvironmentVariables", StringComparison.Ordinal) => $"{key.Replace(":", "__", StringComparison.Ordinal)} in the environment",
        _ when provider.GetType().Name.StartsWith("CommandLine", StringComparison.Ordinal) => $"switch --{key}",
        _ => "override",
    };

    private static string Display(OpenShellSettings settings, string key)
    {
        object? value = settings;
        foreach (var name in key.Split(':').Skip(1))
        {
            value = value is null ? null : Array.Find(SettingsProperties(value.GetType()), p => p.Name == name)?.GetValue(value);
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        return IsSecret(key) && text.Length > 0 ? Masked : text;
    }

    private static bool IsSecret(string key) =>
        key.Contains("Password", StringComparison.OrdinalIgnoreCase) || key.Contains("Secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("Token", StringComparison.OrdinalIgnoreCase);
}
