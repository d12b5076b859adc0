namespace OpenShell.DevLoop.Engine;

/// <summary>Whether the Docker engine and the forwards to its ports answer.</summary>
public enum EngineLink
{
    /// <summary>Not checked yet.</summary>
    Connecting,

    /// <summary>The engine answered and every forward is open.</summary>
    Connected,

    /// <summary>The engine or a forward did not answer; it is tried again with back-off.</summary>
    Lost,
}
