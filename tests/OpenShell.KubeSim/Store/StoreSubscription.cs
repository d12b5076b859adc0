using System.Threading.Channels;

namespace OpenShell.KubeSim.Store;

/// <summary>A live feed of store changes: the events to replay first, then every later change.</summary>
internal sealed class StoreSubscription(IReadOnlyList<StoredEvent> initial, ChannelReader<StoredEvent> reader, Action unsubscribe) : IDisposable
{
    public IReadOnlyList<StoredEvent> Initial { get; } = initial;

    public ChannelReader<StoredEvent> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}
