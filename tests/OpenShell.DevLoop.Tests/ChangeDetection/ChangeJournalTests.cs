using OpenShell.DevLoop.ChangeDetection;

namespace OpenShell.DevLoop.Tests.ChangeDetection;

/// <summary>When the journal vouches for its list of changed paths, and when it asks for a whole scan (null).</summary>
public sealed class ChangeJournalTests
{
    private static readonly object Planner = new();

    [Fact]
    public void Unarmed_it_vouches_for_nothing()
    {
        var journal = new ChangeJournal();
        journal.Record(["a.cs"]);

        Assert.Null(journal.Take(Planner));
        Assert.Null(journal.Take(Planner));
    }

    [Fact]
    public void Armed_the_first_look_scans_everything_and_later_ones_get_what_changed_since_the_last()
    {
        var journal = new ChangeJournal();
        journal.Arm();
        journal.Record(["before-the-first-look.cs"]);

        Assert.Null(journal.Take(Planner));
        journal.Record(["a.cs", "b.cs"]);
        journal.Record(["a.cs"]);
        Assert.Equal(["a.cs", "b.cs"], journal.Take(Planner)!.Order(StringComparer.Ordinal));
        Assert.Empty(journal.Take(Planner)!);
    }

    [Theory]
    [InlineData("invalidate")]
    [InlineData("disarm")]
    [InlineData("another reader looked")]
    public void After_lost_events_a_lost_watch_or_another_reader_the_next_look_scans_everything(string fault)
    {
        var journal = new ChangeJournal();
        journal.Arm();
        journal.Take(Planner);
        journal.Record(["a.cs"]);

        switch (fault)
        {
            case "invalidate":
                journal.Invalidate();
                break;
            case "disarm":
                journal.Disarm();
                break;
            default:
                Assert.Null(journal.Take(new object()));
                break;
        }

        Assert.Null(journal.Take(Planner));
        journal.Record(["b.cs"]);
        if (fault == "disarm")
        {
            // Still down: no list until armed again, and then one whole scan first.
            Assert.Null(journal.Take(Planner));
            journal.Arm();
            Assert.Null(journal.Take(Planner));
            journal.Record(["c.cs"]);
            Assert.Equal(["c.cs"], journal.Take(Planner));
        }
        else if (fault == "invalidate")
        {
            Assert.Equal(["b.cs"], journal.Take(Planner));
        }
        else
        {
            // The first reader gets lists again; another is never vouched for (it would take the first one's paths).
            Assert.Equal(["b.cs"], journal.Take(Planner));
            Assert.Null(journal.Take(new object()));
        }
    }
}
