using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Controllers;

/// <summary>Delayed, cancellable work per key (a newer schedule for the same key replaces the older one).</summary>
internal sealed partial class BackgroundWork(ILogger logger, CancellationToken stopping)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, CancellationTokenSource> _pending = [];
    private readonly HashSet<Task> _running = [];

    public void Schedule(string key, TimeSpan delay, Func<CancellationToken, Task> work)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        lock (_gate)
        {
            if (_pending.Remove(key, out var previous))
            {
                previous.Cancel();
            }

            _pending[key] = cts;
        }

        var task = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, cts.Token).ConfigureAwait(false);
                await work(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // Replaced by newer work or stopping.
            }
            catch (KubeApiException e)
            {
                LogWorkFailed(logger, key, e.Message);
            }
            finally
            {
                lock (_gate)
                {
                    if (_pending.TryGetValue(key, out var current) && current == cts)
                    {
                        _pending.Remove(key);
                    }
                }

                cts.Dispose();
            }
        }, CancellationToken.None);
        lock (_gate)
        {
            _running.Add(task);
        }

        task.ContinueWith(t => { lock (_gate) { _running.Remove(t); } }, TaskScheduler.Default);
    }

    public bool IsPending(string key)
    {
        lock (_gate)
        {
            return _pending.ContainsKey(key);
        }
    }

    public void Cancel(string key)
    {
        lock (_gate)
        {
            if (_pending.Remove(key, out var cts))
            {
                cts.Cancel();
            }
        }
    }

    public async Task DrainAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "controller work {Key} failed: {Reason}")]
    private static partial void LogWorkFailed(ILogger logger, string key, string reason);
}
