using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Where <c>deploy</c> reads its settings and environment; tests replace them to stay off the process environment.</summary>
/// <param name="LoadSettings">Loads the settings (argument: <c>--offline</c>).</param>
/// <param name="GetVariable">Reads an environment variable.</param>
internal sealed record DeployCommandHooks(Func<bool, OpenShellSettings> LoadSettings, Func<string, string?> GetVariable)
{
    /// <summary>The settings files beside the program and the process environment.</summary>
    public static DeployCommandHooks Default { get; } = new(CliSettings.Load, Environment.GetEnvironmentVariable);
}
