using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// The files a container gets before it starts, as one tar archive extracted at <c>/</c>: secret and configMap volumes
/// (each key a file, or the listed <c>items</c>), emptyDir folders (mode 1777), hostPath volumes copied from the node's
/// filesystem (symbolic links as links, hard links as links to the first path of the file), and the service-account token, CA and namespace. The engine creates missing parent folders.
/// </summary>
internal static class PodFiles
{
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    // A hostPath copy is for binaries and small trees; anything bigger is a mistake worth saying so.
    private const long MaxHostPathBytes = 512L * 1024 * 1024;

    private const UnixFileMode ReadableFile = (UnixFileMode)0b110_100_100;

    public static MemoryStream Build(ObjectStore store, JsonObject pod, JsonObject container, KubeletNode node, string token, string authorityPem)
    {
        var ns = Json.Namespace(pod);
        var volumes = ((Json.At(pod, "spec.volumes") as JsonArray)?.OfType<JsonObject>() ?? [])
            .ToDictionary(v => Json.Str(v["name"]) ?? "", StringComparer.Ordinal);
        var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var mounts = (container["volumeMounts"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            foreach (var mount in mounts)
            {
                var path = Json.Str(mount["mountPath"]) ?? "";
                var name = Json.Str(mount["name"]) ?? "";
                if (path.Length == 0 || !volumes.TryGetValue(name, out var volume))
                {
                    throw new PodConfigException($"volume \"{name}\" mounted at \"{path}\" is not declared in the pod");
                }

                if (Json.Str(mount["subPath"]) is { Length: > 0 } subPath)
                {
                    WriteSubPath(store, ns, volume, subPath, path, tar);
                    continue;
                }

                WriteVolume(store, ns, volume, path, node, tar);
            }

            var automount = pod["spec"]?["automountServiceAccountToken"]?.GetValue<bool>() ?? true;
            if (automount && !mounts.Any(m => Json.Str(m["mountPath"]) == ServiceAccountPath))
            {
                WriteFile(tar, $"{ServiceAccountPath}/token", Encoding.UTF8.GetBytes(token), ReadableFile);
                WriteFile(tar, $"{ServiceAccountPath}/ca.crt", Encoding.UTF8.GetBytes(authorityPem), ReadableFile);
                WriteFile(tar, $"{ServiceAccountPath}/namespace", Encoding.UTF8.GetBytes(ns), ReadableFile);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    private static void WriteVolume(ObjectStore store, string ns, JsonObject volume, string path, KubeletNode node, TarWriter tar)
    {
        if (volume["secret"] is JsonObject secret)
        {
            WriteKeys(store, ns, ResourceCatalog.Secrets, Json.Str(secret["secretName"]) ?? "", secret, path, tar);
        }
        else if (volume["configMap"] is JsonObject configMap)
        {
            WriteKeys(store, ns, ResourceCatalog.ConfigMaps, Json.Str(configMap["name"]) ?? "", configMap, path, tar);
        }
        else if (volume["emptyDir"] is not null)
        {
            WriteDirectory(tar, path, UnixFileMode.StickyBit | (UnixFileMode)0b111_111_111);
        }
        else if (volume["hostPath"] is JsonObject hostPath)
        {
            CopyHostPath(Json.Str(hostPath["path"]) ?? "", Json.Str(hostPath["type"]), path, node, tar);
        }

        // Other volume kinds (PVCs, projected, ...) are not modelled: the mount path is left as the image has it.
    }

    private static void WriteKeys(ObjectStore store, string ns, ResourceKind kind, string name, JsonObject source, string path, TarWriter tar)
    {
        var optional = source["optional"]?.GetValue<bool>() == true;
        if (store.Get(kind, ns, name) is not { } obj)
        {
            if (optional)
            {
                WriteDirectory(tar, path, (UnixFileMode)0b111_101_101);
                return;
            }

            throw new PodConfigException($"{kind.Kind.ToLowerInvariant()} \"{name}\" not found");
        }

        var mode = (UnixFileMode)(Json.Long(source["defaultMode"]) ?? 0b110_100_100);
        var data = Raw(kind, obj);
        if (source["items"] is JsonArray items && items.Count > 0)
        {
            foreach (var item in items.OfType<JsonObject>())
            {
                var key = Json.Str(item["key"]) ?? "";
                if (!data.TryGetValue(key, out var bytes))
                {
                    throw new PodConfigException($"couldn't find key {key} in {kind.Kind} {ns}/{name}");
                }

                WriteFile(tar, $"{path}/{Json.Str(item["path"]) ?? key}", bytes, Json.Long(item["mode"]) is { } m ? (UnixFileMode)m : mode);
            }

            return;
        }

        WriteDirectory(tar, path, (UnixFileMode)0b111_101_101);
        foreach (var (key, bytes) in data)
        {
            WriteFile(tar, $"{path}/{key}", bytes, mode);
        }
    }

    private static void WriteSubPath(ObjectStore store, string ns, JsonObject volume, string subPath, string path, TarWriter tar)
    {
        var (kind, name, source) = volume["secret"] is JsonObject s
            ? (ResourceCatalog.Secrets, Json.Str(s["secretName"]), s)
            : (ResourceCatalog.ConfigMaps, Json.Str(volume["configMap"]?["name"]), volume["configMap"] as JsonObject);
        if (source is null || name is null)
        {
            throw new PodConfigException($"subPath \"{subPath}\" is only modelled for secret and configMap volumes");
        }

        var obj = store.Get(kind, ns, name) ?? throw new PodConfigException($"{kind.Kind.ToLowerInvariant()} \"{name}\" not found");
        if (!Raw(kind, obj).TryGetValue(subPath, out var bytes))
        {
            throw new PodConfigException($"couldn't find key {subPath} in {kind.Kind} {ns}/{name}");
        }

        WriteFile(tar, path, bytes, (UnixFileMode)(Json.Long(source["defaultMode"]) ?? 0b110_100_100));
    }

    private static Dictionary<string, byte[]> Raw(ResourceKind kind, JsonObject obj)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in obj["data"] as JsonObject ?? [])
        {
            var text = Json.Str(value) ?? "";
            data[key] = kind == ResourceCatalog.Secrets ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        }

        foreach (var (key, value) in obj["binaryData"] as JsonObject ?? [])
        {
            data[key] = Convert.FromBase64String(Json.Str(value) ?? "");
        }

        return data;
    }

    private static void CopyHostPath(string hostPath, string? type, string path, KubeletNode node, TarWriter tar)
    {
        var source = Path.Combine(node.HostPathRoot, hostPath.TrimStart('/'));
        if (Directory.Exists(source))
        {
            long total = 0;
            var linked = new Dictionary<FileIdentity, string>();
            WriteDirectory(tar, path, File.GetUnixFileMode(source));
            foreach (var entry in Directory.EnumerateFileSystemEntries(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var target = $"{path}/{Path.GetRelativePath(source, entry).Replace('\\', '/')}";

                // As the mount shows them: a symbolic link stays a link (its target as written, so a relative one keeps
                // pointing inside the volume), and hard links to one file stay one file.
                var info = new FileInfo(entry);
                if (info.LinkTarget is { } link)
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, target.TrimStart('/')) { LinkName = link, ModificationTime = DateTimeOffset.UtcNow });
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    WriteDirectory(tar, target, File.GetUnixFileMode(entry));
                    continue;
                }

                if (FileIdentity.Of(entry) is { } identity)
                {
                    if (linked.TryGetValue(identity, out var first))
                    {
                        // The engine applies a hard link entry's mode to the file it links to: give it the file's own.
                        tar.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, target.TrimStart('/')) { LinkName = first, Mode = File.GetUnixFileMode(entry), ModificationTime = DateTimeOffset.UtcNow });
                        continue;
                    }

                    linked[identity] = target.TrimStart('/');
                }

                total += info.Length;
                if (total > MaxHostPathBytes)
                {
                    throw new PodConfigException($"hostPath \"{hostPath}\" holds more than {MaxHostPathBytes / (1024 * 1024)} MiB: the simulator copies hostPath volumes into containers and refuses this much");
                }

                WriteFile(tar, target, File.ReadAllBytes(entry), File.GetUnixFileMode(entry));
            }
        }
        else if (File.Exists(source))
        {
            WriteFile(tar, path, File.ReadAllBytes(source), File.GetUnixFileMode(source));
        }
        else if (type is "Directory" or "File" or "Socket" or "CharDevice" or "BlockDevice")
        {
            throw new PodConfigException($"hostPath type check failed: {hostPath} is not a {type.ToLowerInvariant()} on the node");
        }
        else
        {
            WriteDirectory(tar, path, (UnixFileMode)0b111_101_101); // DirectoryOrCreate and the unchecked default.
        }
    }

    private static void WriteDirectory(TarWriter tar, string path, UnixFileMode mode) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, path.Trim('/') + "/") { Mode = mode, ModificationTime = DateTimeOffset.UtcNow });

    private static void WriteFile(TarWriter tar, string path, byte[] content, UnixFileMode mode) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path.TrimStart('/')) { Mode = mode, DataStream = new MemoryStream(content), ModificationTime = DateTimeOffset.UtcNow });
}
