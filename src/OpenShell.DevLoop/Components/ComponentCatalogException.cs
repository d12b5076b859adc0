using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Components;

/// <summary>components.json is missing or malformed; the message names the file, the cause and the fix.</summary>
public sealed class ComponentCatalogException : DevLoopException
{
    /// <summary>Creates the exception.</summary>
    public ComponentCatalogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ComponentCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ComponentCatalogException()
    {
    }
}
