namespace OpenShell.DevLoop.Components;

/// <summary>
/// What a catalogue entry that leaves out a deploy field gets: OpenShell's own gateway, supervisor and chart, so the
/// catalogue that names only their inputs deploys them as it always did.
/// </summary>
public static class ComponentDefaults
{
    /// <summary>The project of an image component.</summary>
    public const string ImageProject = "src/OpenShell.Server/OpenShell.Server.csproj";

    /// <summary>The Dockerfile of an image component.</summary>
    public const string Dockerfile = "deploy/docker/Dockerfile.gateway";

    /// <summary>The values key that holds an image.</summary>
    public const string ValuesKey = "image";

    /// <summary>The StatefulSet that runs an image, as <c>namespace/name</c>.</summary>
    public const string Workload = "openshell/openshell";

    /// <summary>The project of a binary component.</summary>
    public const string BinaryProject = "src/OpenShell.Sandbox/OpenShell.Sandbox.csproj";

    /// <summary>Where a binary component lives on the node.</summary>
    public const string NodePath = "/opt/openshell/bin/openshell-sandbox";

    /// <summary>The chart folder of a helm component.</summary>
    public const string ChartPath = "deploy/helm/openshell";

    /// <summary>The HelmChart (and release) name of a helm component.</summary>
    public const string Release = "openshell";
}
