using System.Text.Json;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// OpenShell's consumer contract, checked in its order against what the archive held: the manifest's fields, then
/// each listed entry against the payload, then the listing's completeness, then the paths the cluster image needs.
/// Stricter than OpenShell where that is safe: duplicate JSON keys and duplicate paths are refused, paths must be
/// clean, <c>schema_version</c> and <c>size</c> must be JSON integers, a required library must resolve to a file.
/// </summary>
internal static class BundleContract
{
    private static readonly string[] s_requiredFields = ["schema_version", "bundle_name", "bundle_version", "architecture", "created_at", "components", "files"];

    private static readonly string[] s_stringFields = ["bundle_name", "bundle_version", "architecture", "created_at"];

    /// <param name="json">The manifest.json bytes.</param>
    /// <param name="expectedArchitecture">The target (<c>amd64</c> or <c>arm64</c>); null accepts either.</param>
    /// <param name="payload">The bundle directory as read from the archive.</param>
    public static BundleManifest Validate(ReadOnlySpan<byte> json, string? expectedArchitecture, BundlePayload payload)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed();
        }

        foreach (var field in s_requiredFields)
        {
            if (!root.TryGetProperty(field, out _))
            {
                throw FieldMissing(field);
            }
        }

        var schemaElement = root.GetProperty("schema_version");
        if (schemaElement.ValueKind != JsonValueKind.Number || !schemaElement.TryGetInt64(out var schema) || schema != BundleManifest.CurrentSchemaVersion)
        {
            throw Malformed();
        }

        foreach (var field in s_stringFields)
        {
            if (NonBlankString(root.GetProperty(field)) is null)
            {
                throw Malformed();
            }
        }

        var components = root.GetProperty("components");
        if (components.ValueKind != JsonValueKind.Object)
        {
            throw Malformed();
        }

        var toolkit = Component(components, BundleManifest.ToolkitComponent);
        var library = Component(components, BundleManifest.LibraryComponent);

        var architecture = root.GetProperty("architecture").GetString()!.Trim();
        if (expectedArchitecture is not null ? architecture != expectedArchitecture : architecture is not (BundleArchitecture.Amd64 or BundleArchitecture.Arm64))
        {
            throw new RuntimeBundleException(
                BundleRule.ArchitectureMismatch,
                BundleManifest.FileName,
                $"bundle architecture mismatch: expected {expectedArchitecture ?? "amd64 or arm64"}, got {architecture}");
        }

        var filesElement = root.GetProperty("files");
        if (filesElement.ValueKind != JsonValueKind.Array)
        {
            throw Malformed();
        }

        var files = new List<BundleManifestFile>(filesElement.GetArrayLength());
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in filesElement.EnumerateArray())
        {
            files.Add(CheckEntry(element, payload, listed));
        }

        if (!files.Any(f => !f.IsSymlink))
        {
            throw Malformed();
        }

        foreach (var path in RequiredPayload.ManifestPaths)
        {
            if (!listed.Contains(path))
            {
                throw new RuntimeBundleException(BundleRule.RequiredAssetUnlisted, path, $"required runtime asset missing from manifest.json: {path}");
            }
        }

        foreach (var path in payload.Order)
        {
            var kind = payload.Entries[path].Kind;
            if (kind != TarEntryKind.Directory && path != BundleManifest.FileName && !listed.Contains(path))
            {
                throw new RuntimeBundleException(BundleRule.UndeclaredFile, path, $"unlisted payload path present on disk: {path}");
            }
        }

        CheckRequiredPaths(payload, architecture);
        return new BundleManifest
        {
            SchemaVersion = (int)schema,
            Name = root.GetProperty("bundle_name").GetString()!,
            Version = root.GetProperty("bundle_version").GetString()!,
            Architecture = architecture,
            CreatedAt = root.GetProperty("created_at").GetString()!,
            Toolkit = toolkit,
            Library = library,
            Files = files,
        };
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw Malformed(ex);
        }
    }

    private static BundleComponent Component(JsonElement components, string name)
    {
        if (!components.TryGetProperty(name, out var component) || component.ValueKind != JsonValueKind.Object)
        {
            throw FieldMissing($"components.{name}");
        }

        var version = component.TryGetProperty("version", out var v) ? NonBlankString(v) : null;
        if (version is null)
        {
            throw FieldMissing($"components.{name}.version");
        }

        var commit = component.TryGetProperty("commit", out var c) ? NonBlankString(c) : null;
        return commit is null ? throw FieldMissing($"components.{name}.commit") : new BundleComponent(version, commit);
    }

    /// <summary>One <c>files[]</c> entry: its fields, then the payload it names, in OpenShell's order.</summary>
    private static BundleManifestFile CheckEntry(JsonElement element, BundlePayload payload, HashSet<string> listed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed();
        }

        var path = (element.TryGetProperty("path", out var p) ? NonBlankString(p) : null)?.Trim()
            ?? throw FieldMissing("files[].path");
        if (!IsCleanPath(path))
        {
            throw new RuntimeBundleException(BundleRule.InvalidListedPath, path, $"invalid manifest-listed payload path: {path}");
        }

        if (!listed.Add(path))
        {
            throw new RuntimeBundleException(BundleRule.DuplicateEntry, path, $"manifest.json lists '{path}' more than once; each payload path must be listed once");
        }

        var type = element.TryGetProperty("entry_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        payload.TryGet(path, out var seen);
        switch (type)
        {
            case BundleManifestFile.FileType:
                var sha = element.TryGetProperty("sha256", out var s) ? NonBlankString(s) : null;
                if (sha is null)
                {
                    throw FieldMissing($"files[].sha256:{path}");
                }

                if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
                    || !sizeElement.TryGetInt64(out var size) || size < 0)
                {
                    throw FieldMissing($"files[].size:{path}");
                }

                if (seen is not { Kind: TarEntryKind.RegularFile })
                {
                    throw PayloadMissing(path);
                }

                if (!string.Equals(seen.Sha256, sha, StringComparison.Ordinal))
                {
                    throw new RuntimeBundleException(BundleRule.ChecksumMismatch, path, $"checksum mismatch: {path}");
                }

                if (seen.Size != size)
                {
                    throw new RuntimeBundleException(BundleRule.SizeMismatch, path, $"size mismatch: {path}");
                }

                return new BundleManifestFile { Path = path, IsSymlink = false, Size = size, Sha256 = sha };
            case BundleManifestFile.SymlinkType:
                return seen is { Kind: TarEntryKind.SymbolicLink }
                    ? new BundleManifestFile { Path = path, IsSymlink = true, Target = seen.LinkTarget }
                    : throw PayloadMissing(path);
            default:
                throw Malformed();
        }
    }

    /// <summary>The binaries, the config folder and the library for the target's triple, as OpenShell checks them after the manifest.</summary>
    private static void CheckRequiredPaths(BundlePayload payload, string architecture)
    {
        foreach (var binary in RequiredPayload.Binaries)
        {
            if (!payload.Exists(binary))
            {
                throw new RuntimeBundleException(BundleRule.RequiredPathMissing, binary, $"missing required path: {binary}");
            }
        }

        foreach (var binary in RequiredPayload.Binaries)
        {
            if (!payload.TryGet(binary, out var entry) || entry.Kind != TarEntryKind.RegularFile)
            {
                throw new RuntimeBundleException(BundleRule.RequiredBinaryType, binary, $"invalid required binary entry type: {binary}");
            }
        }

        if (!payload.Exists(RequiredPayload.ConfigDirectory))
        {
            throw new RuntimeBundleException(BundleRule.RequiredPathMissing, RequiredPayload.ConfigDirectory, $"missing required path: {RequiredPayload.ConfigDirectory}");
        }

        if (!payload.IsDirectory(RequiredPayload.ConfigDirectory))
        {
            throw new RuntimeBundleException(BundleRule.RequiredPathNotDirectory, RequiredPayload.ConfigDirectory, $"required path is not a directory: {RequiredPayload.ConfigDirectory}");
        }

        // Stricter than a glob: the match must resolve to a regular file, not a dangling link.
        if (!payload.Order.Any(p => RequiredPayload.IsContainerLibrary(p, architecture) && payload.ResolvesToFile(p)))
        {
            var pattern = RequiredPayload.LibraryPattern(architecture);
            throw new RuntimeBundleException(BundleRule.RequiredLibraryMissing, pattern, $"missing required library subtree: {pattern}");
        }
    }

    /// <summary>A relative '/'-separated path with no empty, '.' or '..' segment, no backslash or NUL, not manifest.json.</summary>
    private static bool IsCleanPath(string path)
    {
        if (path.Length == 0 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)
            || path == BundleManifest.FileName)
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    private static string? NonBlankString(JsonElement element)
        => element.ValueKind == JsonValueKind.String && element.GetString() is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;

    private static RuntimeBundleException Malformed(Exception? inner = null)
        => new(BundleRule.ManifestInvalid, BundleManifest.FileName, "malformed manifest.json", inner);

    private static RuntimeBundleException FieldMissing(string field)
        => new(BundleRule.ManifestFieldMissing, field, $"missing required manifest field: {field}");

    private static RuntimeBundleException PayloadMissing(string path)
        => new(BundleRule.DeclaredFileMissing, path, $"missing manifest-listed payload path: {path}");
}
