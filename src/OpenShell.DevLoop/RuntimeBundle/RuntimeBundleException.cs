using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// The one error every runtime bundle operation throws: the message names the entry (when there is one), what is
/// wrong and the rule, so a person can fix the bundle or the configuration.
/// </summary>
public sealed class RuntimeBundleException : DevLoopException
{
    /// <summary>Creates the error for <paramref name="rule"/>, optionally about one archive or manifest entry.</summary>
    public RuntimeBundleException(BundleRule rule, string? entry, string detail, Exception? innerException = null)
        : base(Format(rule, entry, detail), innerException)
    {
        Rule = rule;
        Entry = entry;
    }

    /// <summary>The rule that was broken.</summary>
    public BundleRule Rule { get; }

    /// <summary>The archive entry or manifest path concerned, when the failure is about one.</summary>
    public string? Entry { get; }

    /// <summary>The rule's name as printed in messages, e.g. <c>unsafe-path</c>.</summary>
    public static string RuleName(BundleRule rule)
    {
        var name = rule.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static string Format(BundleRule rule, string? entry, string detail)
        => entry is null
            ? $"runtime bundle: {detail} [rule: {RuleName(rule)}]"
            : $"runtime bundle entry '{entry}': {detail} [rule: {RuleName(rule)}]";
}
