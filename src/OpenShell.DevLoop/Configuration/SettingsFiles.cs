using Microsoft.Extensions.Configuration;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// Loads the same settings files the AppHost uses (appsettings.json, appsettings.Offline.json)
/// so the command line and the dashboard agree on images and ports.
/// </summary>
public static class SettingsFiles
{
    /// <summary>Builds configuration from the settings files next to the program, then the environment.</summary>
    public static IConfiguration Load(string directory, bool offline, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(directory)
            .AddJsonFile("appsettings.json", optional: true);
        if (offline)
        {
            builder.AddJsonFile("appsettings.Offline.json", optional: false);
        }

        builder.AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }
}
