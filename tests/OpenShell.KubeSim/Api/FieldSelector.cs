using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>A parsed <c>fieldSelector</c> of <c>path=value</c> / <c>path!=value</c> terms over any dotted field (e.g. <c>metadata.name</c>, <c>status.phase</c>).</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Equal)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var notEqual = raw.IndexOf("!=", StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector._terms.Add((raw[..notEqual], raw[(notEqual + 2)..], false));
                continue;
            }

            var equal = raw.IndexOf('=', StringComparison.Ordinal);
            if (equal <= 0)
            {
                throw KubeApiException.BadRequest($"invalid field selector term \"{raw}\": expected path=value or path!=value");
            }

            var value = raw[(equal + 1)..].TrimStart('=');
            selector._terms.Add((raw[..equal], value, true));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            var node = Json.At(obj, path);
            var actual = Json.Str(node) ?? (node is null ? "" : node.ToJsonString());
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
