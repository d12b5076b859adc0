namespace OpenShell.DevLoop.Deploy;

/// <summary>The timed steps of a deploy, in the order upstream prints their <c>&lt;label&gt; took &lt;N&gt;s</c> lines.</summary>
public enum DeployStep
{
    /// <summary>Planning: git's change set, fingerprints, the recorded state (<c>Change detection</c>).</summary>
    ChangeDetection,

    /// <summary>The gateway's <c>dotnet publish</c> and image build (<c>Builds</c>).</summary>
    Builds,

    /// <summary>The supervisor's publish, copy into the node and verification (<c>Supervisor build + deploy</c>).</summary>
    Supervisor,

    /// <summary>The gateway image push to the local registry (<c>Image push</c>).</summary>
    ImagePush,

    /// <summary>The HelmChart update and, when needed, k3s's helm job (<c>Helm upgrade</c>).</summary>
    HelmUpgrade,

    /// <summary>Waiting for the gateway StatefulSet to roll out (<c>Gateway rollout</c>).</summary>
    GatewayRollout,

    /// <summary>
    /// A throwaway sandbox started after a supervisor swap, proving the new binary registers (<c>Sandbox verification</c>;
    /// ours, upstream has no such step).
    /// </summary>
    SandboxVerification,

    /// <summary>
    /// A call over mTLS to the gateway on the cluster's gateway port after its new pod rolled out, proving the new
    /// gateway serves (<c>Gateway probe</c>; ours, upstream has no such step).
    /// </summary>
    GatewayProbe,

    /// <summary>The whole deploy (<c>Total deploy</c>).</summary>
    Total,
}
