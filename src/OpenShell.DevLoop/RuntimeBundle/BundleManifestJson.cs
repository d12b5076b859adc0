using System.Globalization;
using System.Text.Json;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Reads and writes manifest.json, turning every malformed field into a message that names it.</summary>
internal static class BundleManifestJson
{
    public static byte[] Serialize(BundleManifest manifest)
    {
        var dto = new ManifestDto
        {
            SchemaVersion = manifest.SchemaVersion,
            Name = manifest.Name,
            Version = manifest.Version,
            Architecture = manifest.Architecture,
            Files = [.. manifest.Files.Select(f => new ManifestFileDto
            {
                Path = f.Path,
                Size = f.Size,
                Sha256 = f.Sha256,
                Mode = f.Mode,
                Target = f.Target,
            })],
        };
        return JsonSerializer.SerializeToUtf8Bytes(dto, ManifestJsonContext.Default.ManifestDto);
    }

    /// <summary>Parses and validates the manifest's own shape; the payload is checked against it elsewhere.</summary>
    public static BundleManifest Parse(ReadOnlySpan<byte> json, string entryName)
    {
        ManifestDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ManifestDto);
        }
        catch (JsonException ex)
        {
            throw Invalid(entryName, $"is not valid JSON ({ex.Message})");
        }

        if (dto is null)
        {
            throw Invalid(entryName, "is empty (null): it must be a JSON object");
        }

        if (dto.SchemaVersion is not { } schemaVersion)
        {
            throw Invalid(entryName, "lacks the field 'schemaVersion'");
        }

        if (schemaVersion != BundleManifest.CurrentSchemaVersion)
        {
            throw Invalid(entryName, $"has schemaVersion {schemaVersion}; this tool reads schemaVersion {BundleManifest.CurrentSchemaVersion}");
        }

        var name = Required(dto.Name, "name", entryName);
        var version = Required(dto.Version, "version", entryName);
        var architectureText = Required(dto.Architecture, "architecture", entryName);
        var architecture = BundleArchitecture.TryNormalize(architectureText)
            ?? throw Invalid(entryName, $"declares the unknown architecture '{architectureText}': use amd64 or arm64");
        if (dto.Files is null)
        {
            throw Invalid(entryName, "lacks the field 'files'");
        }

        var files = new List<BundleManifestFile>(dto.Files.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < dto.Files.Count; i++)
        {
            var file = dto.Files[i] ?? throw Invalid(entryName, $"files[{i}] is null");
            var where = $"files[{i}]";
            var path = Required(file.Path, $"{where}.path", entryName);
            var normalised = BundlePaths.NormaliseRelative(path)
                ?? throw Invalid(entryName, $"{where}.path '{path}' is not a clean relative path (no leading '/', no '.' or '..' segments, no empty segments)");
            if (normalised == BundleManifest.FileName)
            {
                throw Invalid(entryName, $"{where} declares manifest.json itself; only payload files are listed");
            }

            if (!seen.Add(normalised))
            {
                throw Invalid(entryName, $"{where}.path '{path}' is declared twice");
            }

            if (file.Mode is not null && ParseMode(file.Mode) is null)
            {
                throw Invalid(entryName, $"{where}.mode '{file.Mode}' is not octal permission bits such as \"0755\"");
            }

            if (file.Target is not null)
            {
                if (file.Size is not null || file.Sha256 is not null)
                {
                    throw Invalid(entryName, $"{where} ('{path}') declares a symlink target and also size/sha256: a symlink has only 'target'");
                }

                if (file.Target.Length == 0)
                {
                    throw Invalid(entryName, $"{where}.target of '{path}' is empty");
                }

                files.Add(new BundleManifestFile { Path = normalised, Target = file.Target, Mode = file.Mode });
                continue;
            }

            if (file.Size is not { } size)
            {
                throw Invalid(entryName, $"{where} ('{path}') lacks the field 'size'");
            }

            if (size < 0)
            {
                throw Invalid(entryName, $"{where}.size of '{path}' is negative");
            }

            var sha = Required(file.Sha256, $"{where}.sha256", entryName);
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
            {
                throw Invalid(entryName, $"{where}.sha256 of '{path}' is not 64 hex digits");
            }

            files.Add(new BundleManifestFile { Path = normalised, Size = size, Sha256 = sha.ToLowerInvariant(), Mode = file.Mode });
        }

        return new BundleManifest
        {
            SchemaVersion = schemaVersion,
            Name = name,
            Version = version,
            Architecture = architecture,
            Files = files,
        };
    }

    /// <summary>Parses octal permission text (<c>755</c>, <c>0755</c>, <c>04755</c>); null when malformed.</summary>
    public static int? ParseMode(string text)
    {
        var digits = text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length is 0 or > 5 || !digits.All(c => c is >= '0' and <= '7'))
        {
            return null;
        }

        var value = Convert.ToInt32(digits, 8);
        return value <= 0x0FFF ? value : null;
    }

    /// <summary>Formats permission bits the way the manifest writes them.</summary>
    public static string FormatMode(int mode) => "0" + Convert.ToString(mode & 0x0FFF, 8).PadLeft(3, '0');

    private static string Required(string? value, string field, string entryName)
        => string.IsNullOrWhiteSpace(value) ? throw Invalid(entryName, $"lacks the field '{field}' (or it is empty)") : value;

    private static RuntimeBundleException Invalid(string entryName, string detail)
        => new(BundleRule.ManifestInvalid, entryName, string.Create(CultureInfo.InvariantCulture, $"{detail}; see the manifest schema in the README"));
}
