using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Session;

internal sealed partial class DevSession
{
    /// <summary>Stops deploying on changes (remembered until <see cref="Resume"/>).</summary>
    public void Pause() => _loop?.Pause();

    /// <summary>Deploys what changed while paused, then keeps watching.</summary>
    public void Resume() => _loop?.Resume();

    /// <summary>Deploys now through the watcher (sharing its running deploy), or directly when it does not run.</summary>
    public async Task<DeployOutcome> DeployNowAsync(CancellationToken ct)
    {
        if (_loop is { } loop)
        {
            return await loop.DeployNowAsync().WaitAsync(ct).ConfigureAwait(false);
        }

        try
        {
            var result = await DeployAsync([], null, ct).ConfigureAwait(false);
            return DeployOutcome.Success(Summary(result));
        }
        catch (DevLoopException ex)
        {
            return DeployOutcome.Failure(ex);
        }
    }

    private void StartWatcher()
    {
        if (!_settings.DevHost.WatchEnabled)
        {
            Publish(new WatcherChanged(null, Disabled: true));
            return;
        }

        if (_loop is not null)
        {
            return;
        }

        var logger = _loggers(DeployScope);
        DeployLoop? loop = null;
        try
        {
            var excludes = Catalog(required: true).Components.SelectMany(c => c.Exclude).Distinct(StringComparer.Ordinal).ToList();
            loop = new DeployLoop(
                async (trigger, loopCt) =>
                {
                    Publish(new DeployTriggered(trigger));
                    try
                    {
                        return DeployOutcome.Success(Summary(await DeployAsync([], null, loopCt, Telemetry.DeployTriggers.Of(trigger.Kind)).ConfigureAwait(false)));
                    }
                    catch (DevLoopException ex)
                    {
                        return DeployOutcome.Failure(ex);
                    }
                },
                new DeployLoopOptions
                {
                    QuietPeriod = TimeSpan.FromMilliseconds(_settings.DevHost.QuietPeriodMs),
                    MaxWait = TimeSpan.FromMilliseconds(_settings.DevHost.MaxWaitMs),
                },
                _services.GitProbe(RepositoryRoot),
                _services.Time,
                logger);
            loop.StatusChanged += status => Publish(new WatcherChanged(status));
            _watcher = _services.StartWatcher(RepositoryRoot, excludes, new JournalingSink(_journal, loop), logger);

            // From here on plans re-check only what the watcher reports (the first one still scans the whole tree). The
            // watcher skips every component's excluded paths, so that holds only when all components exclude the same.
            var components = Catalog(required: true).Components;
            if (components.All(c => c.Exclude.SequenceEqual(components[0].Exclude, StringComparer.Ordinal)))
            {
                _journal.Arm();
            }
            _loop = loop;
            Publish(new WatcherChanged(loop.Status));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _ = loop?.DisposeAsync().AsTask();
            var error = Fail(logger, "Watcher", ex);
            Publish(new WatcherChanged(null, error));
        }
    }
}
