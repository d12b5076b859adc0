using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Where <c>deploy</c> reads its settings; tests replace it to stay off the process environment.</summary>
/// <param name="LoadSettings">Loads the settings (arguments: <c>--offline</c>, the repository root, the settings the switches set).</param>
internal sealed record DeployCommandHooks(Func<bool, string, IReadOnlyDictionary<string, string?>, OpenShellSettings> LoadSettings)
{
    /// <summary>The settings files beside the program, the repository's <c>.env</c> and the process environment.</summary>
    public static DeployCommandHooks Default { get; } = new((offline, root, switches) => CliSettings.Load(offline, root, switches));
}
