namespace OpenShell.AppHost.DevLoop;

/// <summary>State texts shown on the dashboard. Only <see cref="Running"/> makes a resource ready for its waiters.</summary>
internal static class ResourceStates
{
    public const string Running = "Running";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Verifying = "Verifying";
    public const string Bootstrapping = "Bootstrapping";
    public const string Building = "Building";
    public const string Pushing = "Pushing";
    public const string RollingOut = "Rolling out";
    public const string Copying = "Copying";
    public const string Upgrading = "Upgrading";
    public const string Failed = "Failed";
    public const string Recreating = "Recreating";

    /// <summary>Publishes a state with the matching style.</summary>
    public static Task PublishStateAsync(this ResourceNotificationService notifications, IResource resource, string state, params ResourcePropertySnapshot[] properties) =>
        notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(state, StyleOf(state)),
            StartTimeStamp = s.StartTimeStamp ?? (state == Running ? DateTime.UtcNow : null),
            Properties = Merge(s.Properties, properties),
        });

    /// <summary>Replaces properties by name, keeping the others.</summary>
    public static System.Collections.Immutable.ImmutableArray<ResourcePropertySnapshot> Merge(
        System.Collections.Immutable.ImmutableArray<ResourcePropertySnapshot> current, IEnumerable<ResourcePropertySnapshot> updates)
    {
        var result = current;
        foreach (var update in updates)
        {
            var existing = result.FirstOrDefault(p => p.Name == update.Name);
            result = existing is null ? result.Add(update) : result.Replace(existing, update);
        }

        return result;
    }

    private static string StyleOf(string state) => state switch
    {
        Running => KnownResourceStateStyles.Success,
        Failed => KnownResourceStateStyles.Error,
        Waiting => KnownResourceStateStyles.Info,
        _ => KnownResourceStateStyles.Info,
    };
}
