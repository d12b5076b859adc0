using System.CommandLine;

namespace OpenShell.DevLoop.Cli;

/// <summary>Options every command accepts; also compiled into <c>openshell-dev-plan</c>, which shares the planning commands.</summary>
internal static class CliOptions
{
    /// <summary><c>--offline</c>: the AppHost's Offline environment.</summary>
    public static readonly Option<bool> Offline = new("--offline")
    {
        Description = "Use the offline stand-in images built by eng/offline-images.sh (the AppHost's Offline environment).",
        Recursive = true,
    };
}
