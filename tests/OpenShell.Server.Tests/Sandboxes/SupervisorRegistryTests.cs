using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Tests.Sandboxes;

/// <summary>What the registry keeps when a sandbox name is reused.</summary>
public sealed class SupervisorRegistryTests
{
    [Fact]
    public void A_registration_from_before_the_pod_was_created_is_forgotten()
    {
        var time = new SteppedTime();
        var registry = new SupervisorRegistry(time);
        registry.Register("box", "0.1.0", new string('a', 64));
        time.Step();
        var creating = registry.Now;

        registry.ForgetRegisteredBefore("box", creating);

        Assert.Null(registry.Find("box"));
    }

    [Fact]
    public void A_registration_made_while_the_pod_was_being_created_is_kept()
    {
        // The new pod's supervisor registered before the gateway heard back from the Kubernetes API.
        var time = new SteppedTime();
        var registry = new SupervisorRegistry(time);
        registry.Register("box", "0.1.0", new string('a', 64));
        time.Step();
        var creating = registry.Now;
        time.Step();
        registry.Register("box", "0.1.0", new string('b', 64));
        var changed = registry.NextChange;

        registry.ForgetRegisteredBefore("box", creating);

        Assert.Equal(new string('b', 64), registry.Find("box")?.BinarySha256);
        Assert.False(changed.IsCompleted, "nothing changed, so no change may be signalled");
    }

    [Fact]
    public void Forgetting_a_name_that_never_registered_changes_nothing()
    {
        var registry = new SupervisorRegistry(new SteppedTime());
        var changed = registry.NextChange;

        registry.ForgetRegisteredBefore("never", registry.Now);

        Assert.Null(registry.Find("never"));
        Assert.False(changed.IsCompleted);
    }

    /// <summary>A clock that moves only when told, one second at a time.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Step() => _now = _now.AddSeconds(1);

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
