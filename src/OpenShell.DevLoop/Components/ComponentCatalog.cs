using System.Text.Json;

namespace OpenShell.DevLoop.Components;

/// <summary>
/// The components read from <c>deploy/dev/components.json</c>: which files feed which deployable
/// component, and what its kind's deployer needs to deploy it (<see cref="ComponentDefinition.Image"/>,
/// <see cref="ComponentDefinition.Binary"/>, <see cref="ComponentDefinition.Helm"/>). The AppHost and
/// <c>openshell-dev</c> read the same file.
/// </summary>
public sealed class ComponentCatalog
{
    /// <summary>The catalog's path relative to the repository root.</summary>
    public const string RelativePath = "deploy/dev/components.json";

    /// <summary>The target that selects every component.</summary>
    public const string AllTarget = "all";

    private ComponentCatalog(IReadOnlyList<ComponentDefinition> components, string source)
    {
        Components = components;
        Source = source;
    }

    /// <summary>The components in declaration order (the order of the plan's lines).</summary>
    public IReadOnlyList<ComponentDefinition> Components { get; }

    /// <summary>Where the catalog was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>A catalogue without components, for a session whose catalogue cannot be read.</summary>
    public static ComponentCatalog Empty { get; } = new([], "(none)");

    /// <summary>Every accepted target word, for error messages: names, aliases and <c>all</c>.</summary>
    public IReadOnlyList<string> ValidTargets =>
        [.. Components.SelectMany(c => new[] { c.Name }.Concat(c.Aliases)), AllTarget];

    /// <summary>Reads <c>deploy/dev/components.json</c> under <paramref name="repositoryRoot"/>.</summary>
    public static ComponentCatalog Load(string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        var path = Path.Combine(repositoryRoot, RelativePath);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ComponentCatalogException(
                $"{path} does not exist; the planner needs it to know which files feed which component. Restore it from the repository (git checkout -- {RelativePath}).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ComponentCatalogException($"{path} cannot be read ({ex.Message}); check its permissions.", ex);
        }

        return Parse(json, path);
    }

    /// <summary>Parses catalog JSON; <paramref name="source"/> names it in error messages.</summary>
    public static ComponentCatalog Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ComponentCatalogException($"{source} is not valid JSON ({ex.Message}); fix the syntax at the position shown.", ex);
        }

        using (document)
        {
            return new ComponentCatalog(ReadComponents(document.RootElement, source), source);
        }
    }

    /// <summary>Finds the component named (or aliased) <paramref name="target"/>, case-sensitively.</summary>
    public ComponentDefinition? Find(string target) =>
        Components.FirstOrDefault(c => c.Name == target || c.Aliases.Contains(target));

    /// <summary>
    /// Turns target words into components in catalog order; <c>all</c> selects every component.
    /// Returns false with the first unknown word when one is not a valid target.
    /// </summary>
    public bool TryResolveTargets(IEnumerable<string> targets, out IReadOnlyList<ComponentDefinition> components, out string? unknown)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            if (target == AllTarget)
            {
                selected.UnionWith(Components.Select(c => c.Name));
                continue;
            }

            if (Find(target) is not { } component)
            {
                components = [];
                unknown = target;
                return false;
            }

            selected.Add(component.Name);
        }

        components = [.. Components.Where(c => selected.Contains(c.Name))];
        unknown = null;
        return true;
    }

    private static List<ComponentDefinition> ReadComponents(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ComponentCatalogException($"{source}: the top level must be an object with a \"components\" array.");
        }

        var globalExclude = ReadStrings(root, "exclude", source, "the top level");
        var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (root.TryGetProperty("inputGroups", out var groupsElement))
        {
            if (groupsElement.ValueKind != JsonValueKind.Object)
            {
                throw new ComponentCatalogException($"{source}: \"inputGroups\" must be an object mapping a group name to an array of globs.");
            }

            foreach (var group in groupsElement.EnumerateObject())
            {
                groups[group.Name] = ReadGlobArray(group.Value, source, $"input group \"{group.Name}\"");
            }
        }

        if (!root.TryGetProperty("components", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new ComponentCatalogException($"{source}: \"components\" must be a non-empty array of component objects.");
        }

        var components = new List<ComponentDefinition>();
        var gatewayGiven = new Dictionary<string, bool>(StringComparer.Ordinal);
        var words = new HashSet<string>(StringComparer.Ordinal) { ComponentCatalog.AllTarget };
        var stateKeys = new HashSet<string>(StringComparer.Ordinal) { "cluster_name", "container_id" };
        foreach (var element in list.EnumerateArray())
        {
            var component = ReadComponent(element, source, globalExclude, groups);
            foreach (var word in new[] { component.Name }.Concat(component.Aliases))
            {
                if (!words.Add(word))
                {
                    throw new ComponentCatalogException($"{source}: the target name \"{word}\" is used twice (or is reserved); give each component and alias a unique name.");
                }
            }

            if (!stateKeys.Add(component.StateKey))
            {
                throw new ComponentCatalogException($"{source}: the state key \"{component.StateKey}\" of component \"{component.Name}\" is used twice (or is reserved); give each component its own state key.");
            }

            if (element.TryGetProperty("gateway", out _))
            {
                gatewayGiven[component.Name] = true;
            }

            components.Add(component);
        }

        return ComponentDeploymentReader.Resolve(components, gatewayGiven, source);
    }

    private static ComponentDefinition ReadComponent(JsonElement element, string source, IReadOnlyList<string> globalExclude, Dictionary<string, IReadOnlyList<string>> groups)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ComponentCatalogException($"{source}: every entry of \"components\" must be an object.");
        }

        var name = ReadName(element, "name", source, "a component");
        var where = $"component \"{name}\"";
        var kindText = ReadName(element, "kind", source, where);
        var kind = kindText switch
        {
            "image" => ComponentKind.Image,
            "binary" => ComponentKind.Binary,
            "helm" => ComponentKind.Helm,
            _ => throw new ComponentCatalogException($"{source}: {where} has kind \"{kindText}\"; use one of image, binary, helm."),
        };
        var stateKey = element.TryGetProperty("stateKey", out _) ? ReadName(element, "stateKey", source, where) : name;
        var label = element.TryGetProperty("label", out var labelElement) && labelElement.ValueKind == JsonValueKind.String && labelElement.GetString() is { Length: > 0 } l
            ? l
            : $"build {name}";
        var aliases = ReadStrings(element, "aliases", source, where);
        var include = new List<string>(ReadStrings(element, "include", source, where));
        foreach (var groupName in ReadStrings(element, "includeGroups", source, where))
        {
            if (!groups.TryGetValue(groupName, out var globs))
            {
                throw new ComponentCatalogException($"{source}: {where} includes the input group \"{groupName}\", which \"inputGroups\" does not define; add it there or fix the name.");
            }

            include.AddRange(globs);
        }

        if (include.Count == 0)
        {
            throw new ComponentCatalogException($"{source}: {where} has no input globs; add \"include\" or \"includeGroups\".");
        }

        foreach (var glob in include)
        {
            ValidateGlob(glob, source, where);
        }

        var exclude = new List<string>(globalExclude);
        exclude.AddRange(ReadStrings(element, "exclude", source, where));
        var definition = new ComponentDefinition(name, kind, stateKey, label, aliases, [.. include.Distinct(StringComparer.Ordinal)], [.. exclude.Distinct(StringComparer.Ordinal)]);
        return ComponentDeploymentReader.Read(element, definition, source);
    }

    private static string ReadName(JsonElement element, string property, string source, string where)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ComponentCatalogException($"{source}: {where} needs a non-empty string \"{property}\".");
        }

        var text = value.GetString()!;
        if (text.Any(c => char.IsWhiteSpace(c) || c == '='))
        {
            throw new ComponentCatalogException($"{source}: {where} has {property} \"{text}\"; it may not contain spaces or '='.");
        }

        return text;
    }

    private static IReadOnlyList<string> ReadStrings(JsonElement element, string property, string source, string where) =>
        element.TryGetProperty(property, out var value) ? ReadGlobArray(value, source, $"{where}, \"{property}\",") : [];

    private static List<string> ReadGlobArray(JsonElement value, string source, string where)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ComponentCatalogException($"{source}: {where} must be an array of strings.");
        }

        var result = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                throw new ComponentCatalogException($"{source}: {where} must contain only non-empty strings.");
            }

            result.Add(item.GetString()!);
        }

        return result;
    }

    private static void ValidateGlob(string glob, string source, string where)
    {
        if (glob.StartsWith('/') || glob.Contains('\\', StringComparison.Ordinal) || glob.Split('/').Contains(".."))
        {
            throw new ComponentCatalogException($"{source}: {where} has the glob \"{glob}\"; globs are relative to the repository root, use '/' and no '..'.");
        }
    }
}
