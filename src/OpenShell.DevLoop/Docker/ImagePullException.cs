namespace OpenShell.DevLoop.Docker;

/// <summary>An image the environment needs could not be pulled; the message names the image, the registry, the cause and the fix.</summary>
public sealed class ImagePullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ImagePullException(string image, string registry, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Image = image;
        Registry = registry;
    }

    /// <summary>The image that was to be pulled.</summary>
    public string Image { get; }

    /// <summary>The registry it was to come from.</summary>
    public string Registry { get; }
}
