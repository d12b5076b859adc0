namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The gateway's sandboxes on the dashboard. Sandboxes come and go while the host runs, so this one resource is
/// published once per sandbox, under the id <c>&lt;name&gt;-&lt;sandbox&gt;</c>; its own row stays hidden.
/// </summary>
/// <param name="name">The resource name (the id prefix).</param>
/// <param name="gateway">The gateway that runs the sandboxes.</param>
public sealed class OpenShellSandboxResource(string name, IResource gateway) : Resource(name), IResourceWithParent
{
    /// <summary>The resource type shown on the dashboard.</summary>
    public const string ResourceType = "Sandbox";

    /// <inheritdoc />
    public IResource Parent { get; } = gateway;

    /// <summary>The dashboard id of sandbox <paramref name="sandbox"/>.</summary>
    public string InstanceId(string sandbox) => $"{Name}-{sandbox}";

    /// <summary>The sandbox a dashboard id stands for, or null when <paramref name="resourceId"/> is not one of ours.</summary>
    public string? SandboxOf(string resourceId)
    {
        ArgumentNullException.ThrowIfNull(resourceId);
        var prefix = Name + "-";
        return resourceId.StartsWith(prefix, StringComparison.Ordinal) && resourceId.Length > prefix.Length ? resourceId[prefix.Length..] : null;
    }
}
