namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// The MSBuild global properties a <c>dotnet publish</c> gives the projects of a chain, which the warm compiler's
/// command lines must be taken with to stand for that publish.
/// </summary>
/// <param name="Shared">What every project of the chain sees (<c>Name=Value</c>): the configuration and the build's switches, which flow to references.</param>
/// <param name="Published">What only the published project sees on top: the runtime identifier and self-containment, which the SDK does not pass to a library.</param>
public sealed record WarmPublishProperties(IReadOnlyList<string> Shared, IReadOnlyList<string> Published);
