using Microsoft.Extensions.Configuration;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The settings shared by the AppHost and <c>openshell-dev</c>: section <c>OpenShell</c> of
/// appsettings(.Offline).json, overridden by <c>OpenShell__…</c> environment variables.
/// </summary>
public sealed class OpenShellSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "OpenShell";

    /// <summary>The profile name: <c>Default</c> or <c>Offline</c>.</summary>
    public string Profile { get; set; } = "Default";

    /// <summary>Images used by every resource.</summary>
    public ImageSettings Images { get; set; } = new();

    /// <summary>The local registry.</summary>
    public RegistrySettings Registry { get; set; } = new();

    /// <summary>True when running against the offline stand-in images.</summary>
    public bool IsOffline => string.Equals(Profile, "Offline", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the <c>OpenShell</c> section, keeping defaults for anything not set.</summary>
    public static OpenShellSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new OpenShellSettings();
        configuration.GetSection(SectionName).Bind(settings);
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        if (Registry.HostPort is < 1 or > 65535)
        {
            throw new InvalidOperationException(
                $"OpenShell:Registry:HostPort is {Registry.HostPort}; set it to a free TCP port between 1 and 65535.");
        }

        foreach (var (key, value) in new[] { ("Registry", Images.Registry), ("K3s", Images.K3s), ("RuntimeDeps", Images.RuntimeDeps) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"OpenShell:Images:{key} is empty; set it to an image reference such as name:tag.");
            }
        }
    }
}
