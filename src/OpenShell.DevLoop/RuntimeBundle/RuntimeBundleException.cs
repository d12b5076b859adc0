using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// The one error every runtime bundle operation throws. Validation failures read like OpenShell's consumer
/// (<c>runtime bundle validation failed: …</c>): its own rules with its exact words, archive-level refusals as
/// <c>tar extraction reported warnings or errors: </c> plus a detail naming the entry, and the stricter rules we add
/// in our words with a <c>[rule: …]</c> suffix.
/// </summary>
public sealed class RuntimeBundleException : DevLoopException
{
    /// <summary>The prefix of every validation failure, as OpenShell prints it.</summary>
    public const string ValidationPrefix = "runtime bundle validation failed: ";

    /// <summary>OpenShell's message for every archive that tar would not extract cleanly.</summary>
    public const string ArchiveRefused = "tar extraction reported warnings or errors";

    /// <summary>Creates the error for <paramref name="rule"/>, optionally about one archive or manifest entry.</summary>
    /// <param name="rule">The rule that was broken; it decides how the message is framed.</param>
    /// <param name="entry">The archive entry or manifest path concerned, if any.</param>
    /// <param name="detail">For OpenShell's rules its exact text after the prefix; otherwise our words.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
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

    private static string Format(BundleRule rule, string? entry, string detail) => rule switch
    {
        // OpenShell's own rules: its words, nothing added, so what its CI and contributors grep for matches.
        BundleRule.TopLevelLayout or BundleRule.ManifestMissing or BundleRule.ManifestInvalid or BundleRule.ManifestFieldMissing
            or BundleRule.ArchitectureMismatch or BundleRule.InvalidListedPath or BundleRule.DeclaredFileMissing
            or BundleRule.ChecksumMismatch or BundleRule.SizeMismatch or BundleRule.RequiredAssetUnlisted
            or BundleRule.UndeclaredFile or BundleRule.RequiredPathMissing or BundleRule.RequiredBinaryType
            or BundleRule.RequiredPathNotDirectory or BundleRule.RequiredLibraryMissing or BundleRule.TarballNotFound
            or BundleRule.UnsupportedPlatform => ValidationPrefix + detail,
        BundleRule.NotATarball or BundleRule.CorruptArchive or BundleRule.UnsafePath
            => $"{ValidationPrefix}{ArchiveRefused}: {Describe(entry, detail)} [rule: {RuleName(rule)}]",
        BundleRule.ArchitectureConflict or BundleRule.LinkEscapes or BundleRule.UnsupportedEntryType or BundleRule.DuplicateEntry
            or BundleRule.SizeLimitExceeded or BundleRule.EntryCountExceeded
            => $"{ValidationPrefix}{Describe(entry, detail)} [rule: {RuleName(rule)}]",
        BundleRule.SourceNotConfigured => detail,
        _ => entry is null
            ? $"runtime bundle: {detail} [rule: {RuleName(rule)}]"
            : $"runtime bundle entry '{entry}': {detail} [rule: {RuleName(rule)}]",
    };

    private static string Describe(string? entry, string detail) => entry is null ? detail : $"entry '{entry}' {detail}";
}
