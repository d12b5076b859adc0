namespace OpenShell.DevLoop.Components;

/// <summary>How a <see cref="ComponentKind.Binary"/> component is built and put on the cluster node.</summary>
/// <param name="Project">The project published as one executable, relative to the repository root.</param>
/// <param name="NodePath">Where the executable lives on the node (<c>/opt/openshell/bin/openshell-sandbox</c>); its file name is the published executable's.</param>
public sealed record BinaryDeployment(string Project, string NodePath)
{
    /// <summary>The folder on the node that holds the executable.</summary>
    public string NodeDirectory => NodePath[..NodePath.LastIndexOf('/')] is { Length: > 0 } folder ? folder : "/";

    /// <summary>The executable's file name, also the name <c>dotnet publish</c> gives it.</summary>
    public string FileName => NodePath[(NodePath.LastIndexOf('/') + 1)..];
}
