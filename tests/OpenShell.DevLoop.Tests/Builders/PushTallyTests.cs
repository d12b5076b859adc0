using Docker.DotNet.Models;
using OpenShell.DevLoop.Builders;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>What a push uploaded and reused, read from the engine's progress messages (as the engine sends them).</summary>
public sealed class PushTallyTests
{
    [Fact]
    public void Uploaded_layers_count_their_largest_reported_size_and_existing_layers_count_as_reused()
    {
        var tally = new PushTally();
        foreach (var message in new[]
        {
            Status("aaa", "Preparing"),
            Status("bbb", "Preparing"),
            Status("ccc", "Preparing"),
            Status("aaa", "Layer already exists"),
            Status("ccc", "Mounted from openshell/other"),
            Status("bbb", "Pushing", current: 512, total: 3000),
            Status("bbb", "Pushing", current: 3000, total: 3000),
            Status("bbb", "Pushed"),
            Status("ddd", "Pushing", current: 700, total: 0),
            Status("ddd", "Pushed"),
            new JSONMessage { Status = "dev: digest: sha256:0000 size: 1234" },
        })
        {
            tally.Add(message);
        }

        var image = tally.Describe(new GatewayImage("r/g:dev", "r/g", "sha256:0000"));

        Assert.Equal(3700, image.BytesPushed);
        Assert.Equal(2, image.LayersPushed);
        Assert.Equal(2, image.LayersReused);
    }

    [Fact]
    public void A_layer_that_started_uploading_but_was_not_pushed_counts_no_bytes()
    {
        var tally = new PushTally();
        tally.Add(Status("aaa", "Pushing", current: 100, total: 9000));

        Assert.Equal(0, tally.BytesPushed);
        Assert.Equal(0, tally.LayersPushed);
    }

    private static JSONMessage Status(string id, string status, long current = 0, long total = 0) => new()
    {
        ID = id,
        Status = status,
        Progress = current > 0 || total > 0 ? new JSONProgress { Current = current, Total = total } : null,
    };
}
