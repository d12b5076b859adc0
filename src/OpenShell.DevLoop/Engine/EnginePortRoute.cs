namespace OpenShell.DevLoop.Engine;

/// <summary>How this machine reaches the ports an engine's containers publish (see <see cref="EnginePortPlan"/>).</summary>
public enum EnginePortRoute
{
    /// <summary>Dialled as published: the engine's loopback is this machine's.</summary>
    Loopback,

    /// <summary>Through SSH local forwards to the engine's machine (<see cref="SshPortForwards"/>).</summary>
    SshForwards,

    /// <summary>Dialled directly at another address, through a relay on this machine's loopback (<see cref="TcpRelayEnginePorts"/>).</summary>
    Direct,
}
