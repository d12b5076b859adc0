using System.Text;
using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) that kubectl's typed clients send
/// (e.g. <c>kubectl create secret generic</c>), for the few kinds kubectl creates that way: Secret, ConfigMap,
/// Namespace and ServiceAccount (metadata name/generateName/namespace/labels/annotations plus their data fields).
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] s_magic = [0x6b, 0x38, 0x73, 0x00];

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(s_magic))
        {
            throw KubeApiException.BadRequest("the protobuf body does not start with the k8s\\0 envelope prefix");
        }

        string? apiVersion = null, kind = null;
        byte[]? raw = null;
        foreach (var (field, value) in Fields(body.AsMemory(4)))
        {
            switch (field)
            {
                case 1:
                    foreach (var (typeField, typeValue) in Fields(value.Bytes))
                    {
                        if (typeField == 1)
                        {
                            apiVersion = typeValue.Text;
                        }
                        else if (typeField == 2)
                        {
                            kind = typeValue.Text;
                        }
                    }

                    break;
                case 2:
                    raw = value.Bytes.ToArray();
                    break;
            }
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        var payload = raw ?? [];
        switch (kind)
        {
            case "Secret":
                foreach (var (field, value) in Fields(payload))
                {
                    switch (field)
                    {
                        case 1: obj["metadata"] = ObjectMeta(value.Bytes); break;
                        case 2: AddEntry(Json.Child(obj, "data"), value.Bytes, v => Convert.ToBase64String(v.Span)); break;
                        case 3 when value.Bytes.Length > 0: obj["type"] = value.Text; break;
                        case 4: AddEntry(Json.Child(obj, "stringData"), value.Bytes, v => Encoding.UTF8.GetString(v.Span)); break;
                        case 5: obj["immutable"] = value.Number != 0; break;
                    }
                }

                break;
            case "ConfigMap":
                foreach (var (field, value) in Fields(payload))
                {
                    switch (field)
                    {
                        case 1: obj["metadata"] = ObjectMeta(value.Bytes); break;
                        case 2: AddEntry(Json.Child(obj, "data"), value.Bytes, v => Encoding.UTF8.GetString(v.Span)); break;
                        case 3: AddEntry(Json.Child(obj, "binaryData"), value.Bytes, v => Convert.ToBase64String(v.Span)); break;
                        case 4: obj["immutable"] = value.Number != 0; break;
                    }
                }

                break;
            case "Namespace" or "ServiceAccount":
                foreach (var (field, value) in Fields(payload))
                {
                    if (field == 1)
                    {
                        obj["metadata"] = ObjectMeta(value.Bytes);
                    }
                }

                break;
            default:
                throw new KubeApiException(415, "UnsupportedMediaType", $"the simulator decodes protobuf bodies only for Secret, ConfigMap, Namespace and ServiceAccount, not {kind}: send application/json");
        }

        return obj;
    }

    private static JsonObject ObjectMeta(ReadOnlyMemory<byte> bytes)
    {
        var metadata = new JsonObject();
        foreach (var (field, value) in Fields(bytes))
        {
            switch (field)
            {
                case 1 or 2 or 3 when value.Bytes.Length == 0: break; // protobuf writes unset strings as empty
                case 1: metadata["name"] = value.Text; break;
                case 2: metadata["generateName"] = value.Text; break;
                case 3: metadata["namespace"] = value.Text; break;
                case 11: AddEntry(Json.Child(metadata, "labels"), value.Bytes, v => Encoding.UTF8.GetString(v.Span)); break;
                case 12: AddEntry(Json.Child(metadata, "annotations"), value.Bytes, v => Encoding.UTF8.GetString(v.Span)); break;
            }
        }

        return metadata;
    }

    private static void AddEntry(JsonObject map, ReadOnlyMemory<byte> entry, Func<ReadOnlyMemory<byte>, string> convert)
    {
        string? key = null;
        ReadOnlyMemory<byte> value = default;
        foreach (var (field, part) in Fields(entry))
        {
            if (field == 1)
            {
                key = part.Text;
            }
            else if (field == 2)
            {
                value = part.Bytes;
            }
        }

        if (key is not null)
        {
            map[key] = convert(value);
        }
    }

    private static IEnumerable<(int Field, WireValue Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message.Span, ref position);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return (field, new WireValue(default, ReadVarint(message.Span, ref position)));
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    if (length < 0 || position + length > message.Length)
                    {
                        throw KubeApiException.BadRequest("the protobuf body is truncated");
                    }

                    yield return (field, new WireValue(message.Slice(position, length), 0));
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw KubeApiException.BadRequest($"the protobuf body has an unsupported wire type {tag & 7}");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw KubeApiException.BadRequest("the protobuf body is truncated");
            }

            var b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw KubeApiException.BadRequest("the protobuf body has an invalid varint");
    }

    private readonly record struct WireValue(ReadOnlyMemory<byte> Bytes, ulong Number)
    {
        public string Text => Encoding.UTF8.GetString(Bytes.Span);
    }
}
