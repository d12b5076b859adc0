namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The one truth rule for our own settings (<c>OpenShell:…</c> keys, whatever layer sets them). OpenShell's upstream
/// variables keep their own rules (see <see cref="UpstreamVariables"/>).
/// </summary>
public static class BooleanSetting
{
    /// <summary>Parses <paramref name="value"/>: true/false, 1/0, yes/no, on/off, any case.</summary>
    /// <exception cref="InvalidOperationException">Anything else; the message names the key and the accepted words.</exception>
    public static bool Parse(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new InvalidOperationException($"{key} is '{value}', which is not a boolean; use true or false (1/0, yes/no and on/off work too)."),
        };
    }
}
