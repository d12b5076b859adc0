using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenShell.DevLoop.Components;

/// <summary>
/// Reads the fields a deployer needs from a catalogue entry (per kind; absent ones take <see cref="ComponentDefaults"/>)
/// and checks them against the whole catalogue: a field of another kind, a path that leaves the repository, an image's
/// chart that is no helm component, two components that would deploy to the same place.
/// </summary>
internal static partial class ComponentDeploymentReader
{
    private static readonly string[] s_imageFields = ["project", "dockerfile", "repository", "chart", "valuesKey", "workload", "gateway"];
    private static readonly string[] s_binaryFields = ["project", "nodePath"];
    private static readonly string[] s_helmFields = ["path", "release"];

    /// <summary>Reads the deploy fields of one entry; an image's chart and gateway flag are settled by <see cref="Resolve"/>.</summary>
    public static ComponentDefinition Read(JsonElement element, ComponentDefinition component, string source)
    {
        var where = $"component \"{component.Name}\"";
        var allowed = component.Kind switch
        {
            ComponentKind.Image => s_imageFields,
            ComponentKind.Binary => s_binaryFields,
            _ => s_helmFields,
        };
        foreach (var field in s_imageFields.Concat(s_binaryFields).Concat(s_helmFields).Distinct().Where(f => !allowed.Contains(f)))
        {
            if (element.TryGetProperty(field, out _))
            {
                throw new ComponentCatalogException(
                    $"{source}: {where} is of kind {KindWord(component.Kind)} and has \"{field}\", which only {string.Join(" and ", KindsTaking(field))} components take; remove it or fix the kind.");
            }
        }

        return component.Kind switch
        {
            ComponentKind.Image => component with
            {
                Image = new ImageDeployment(
                    RelativePath(element, "project", ComponentDefaults.ImageProject, source, where, ".csproj"),
                    RelativePath(element, "dockerfile", ComponentDefaults.Dockerfile, source, where, null),
                    Matching(element, "repository", component.Name, RepositoryPattern(), source, where, "lowercase letters, digits, '.', '_', '-' and '/' between parts"),
                    element.TryGetProperty("chart", out _) ? Matching(element, "chart", "", NamePattern(), source, where, "the name of a helm component") : null,
                    Matching(element, "valuesKey", ComponentDefaults.ValuesKey, ValuesKeyPattern(), source, where, "keys of letters, digits, '_' and '-' joined by '.'"),
                    Workload(element, source, where).Namespace,
                    Workload(element, source, where).Name,
                    Flag(element, "gateway", source, where) ?? false),
            },
            ComponentKind.Binary => component with
            {
                Binary = new BinaryDeployment(
                    RelativePath(element, "project", ComponentDefaults.BinaryProject, source, where, ".csproj"),
                    NodePath(element, source, where)),
            },
            _ => component with
            {
                Helm = new HelmDeployment(
                    RelativePath(element, "path", ComponentDefaults.ChartPath, source, where, null),
                    Matching(element, "release", ComponentDefaults.Release, DnsLabelPattern(), source, where, "a DNS label: lowercase letters, digits and '-'")),
            },
        };
    }

    /// <summary>
    /// Settles what depends on the whole catalogue: an image without <c>chart</c> is pinned by the only helm component;
    /// the only image is the gateway unless one is marked. Then refuses two components that would deploy to one place.
    /// </summary>
    public static List<ComponentDefinition> Resolve(List<ComponentDefinition> components, IReadOnlyDictionary<string, bool> gatewayGiven, string source)
    {
        var charts = components.Where(c => c.Kind == ComponentKind.Helm).Select(c => c.Name).ToList();
        var images = components.Count(c => c.Kind == ComponentKind.Image);
        var marked = components.Count(c => c.Image is { IsGateway: true });
        var resolved = new List<ComponentDefinition>(components.Count);
        foreach (var component in components)
        {
            if (component.Image is not { } image)
            {
                resolved.Add(component);
                continue;
            }

            var where = $"component \"{component.Name}\"";
            var chart = image.Chart;
            if (chart is null && charts.Count > 1)
            {
                throw new ComponentCatalogException(
                    $"{source}: {where} does not say which chart pins its image, and there are several helm components ({string.Join(", ", charts)}); set \"chart\" to one of them.");
            }

            chart ??= charts.FirstOrDefault();
            if (chart is not null && !charts.Contains(chart))
            {
                throw new ComponentCatalogException(
                    $"{source}: {where} has chart \"{chart}\", which is not a helm component of the catalogue{(charts.Count == 0 ? "" : $" ({string.Join(", ", charts)})")}; name a helm component.");
            }

            // Without a mark, the catalogue's only image is the gateway, as OpenShell's is.
            var gateway = gatewayGiven.ContainsKey(component.Name) ? image.IsGateway : marked == 0 && images == 1;
            resolved.Add(component with { Image = image with { Chart = chart, IsGateway = gateway } });
        }

        if (resolved.Count(c => c.Image is { IsGateway: true }) > 1)
        {
            throw new ComponentCatalogException(
                $"{source}: several image components are marked \"gateway\": true ({string.Join(", ", resolved.Where(c => c.Image is { IsGateway: true }).Select(c => c.Name))}); only one serves the gateway port.");
        }

        Unique(resolved.Where(c => c.Image is not null), c => c.Image!.Repository, "repository", "image repository", source);
        Unique(resolved.Where(c => c.Image is { Chart: not null }), c => $"{c.Image!.Chart}: {c.Image.ValuesKey}", "valuesKey", "chart value", source);
        Unique(resolved.Where(c => c.Image is { Chart: not null }), c => c.Image!.Workload, "workload", "StatefulSet", source);
        Unique(resolved.Where(c => c.Binary is not null), c => c.Binary!.NodePath, "nodePath", "node path", source);
        Unique(resolved.Where(c => c.Helm is not null), c => c.Helm!.Release, "release", "HelmChart", source);
        return resolved;
    }

    /// <summary>The <c>gateway</c> flag as written, or null when absent.</summary>
    public static bool? Flag(JsonElement element, string property, string source, string where)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ComponentCatalogException($"{source}: {where} has \"{property}\": {value.GetRawText()}; use true or false."),
        };
    }

    private static void Unique(IEnumerable<ComponentDefinition> components, Func<ComponentDefinition, string> key, string field, string what, string source)
    {
        foreach (var group in components.GroupBy(key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new ComponentCatalogException(
                $"{source}: components {string.Join(" and ", group.Select(c => $"\"{c.Name}\""))} deploy to the same {what} ({group.Key}); give each its own \"{field}\".");
        }
    }

    private static (string Namespace, string Name) Workload(JsonElement element, string source, string where)
    {
        var text = Matching(element, "workload", ComponentDefaults.Workload, WorkloadPattern(), source, where, "namespace/name of a StatefulSet (DNS labels)");
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return (text[..slash], text[(slash + 1)..]);
    }

    private static string NodePath(JsonElement element, string source, string where)
    {
        var text = Matching(element, "nodePath", ComponentDefaults.NodePath, NodePathPattern(), source, where, "an absolute path of letters, digits, '.', '_', '-' and '/', naming a file");
        if (text.Split('/').Any(part => part is "." or ".."))
        {
            throw new ComponentCatalogException($"{source}: {where} has nodePath \"{text}\"; use an absolute path without '.' or '..' parts.");
        }

        return text;
    }

    private static string RelativePath(JsonElement element, string property, string fallback, string source, string where, string? extension)
    {
        var text = Text(element, property, source, where) ?? fallback;
        if (text.StartsWith('/') || text.Contains('\\', StringComparison.Ordinal) || text.Split('/').Contains("..") || text.Split('/').Contains(""))
        {
            throw new ComponentCatalogException($"{source}: {where} has {property} \"{text}\"; paths are relative to the repository root, use '/' and no '..'.");
        }

        if (extension is not null && !text.EndsWith(extension, StringComparison.Ordinal))
        {
            throw new ComponentCatalogException($"{source}: {where} has {property} \"{text}\"; name a {extension} file.");
        }

        return text;
    }

    private static string Matching(JsonElement element, string property, string fallback, Regex pattern, string source, string where, string expected)
    {
        var text = Text(element, property, source, where) ?? fallback;
        if (!pattern.IsMatch(text))
        {
            throw new ComponentCatalogException($"{source}: {where} has {property} \"{text}\"; use {expected}.");
        }

        return text;
    }

    private static string? Text(JsonElement element, string property, string source, string where)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ComponentCatalogException($"{source}: {where} has \"{property}\" that is not a non-empty string.");
        }

        return value.GetString()!;
    }

    private static string KindWord(ComponentKind kind) => kind.ToString().ToLowerInvariant();

    private static IEnumerable<string> KindsTaking(string field) =>
        new[] { ("image", s_imageFields), ("binary", s_binaryFields), ("helm", s_helmFields) }.Where(k => k.Item2.Contains(field)).Select(k => k.Item1);

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex ValuesKeyPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex WorkloadPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^(/[A-Za-z0-9._-]+)+$")]
    private static partial Regex NodePathPattern();

    [GeneratedRegex("^[^\\s=]+$")]
    private static partial Regex NamePattern();
}
