using Xunit.Abstractions;
using Xunit.Sdk;

namespace OpenShell.FaultSuite;

/// <summary>
/// Runs a test class's scenario rows in the order of <see cref="FaultScenarios.All"/>, as the table does: the rows on the
/// private engine deploy the shared cluster's clone and edit it, so they come after every row on the shared cluster.
/// Tests that are not a scenario row run first.
/// </summary>
public sealed class ScenarioOrderer : ITestCaseOrderer
{
    public const string TypeName = "OpenShell.FaultSuite.ScenarioOrderer";

    public const string AssemblyName = "OpenShell.FaultSuite";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(c => Position(c));

    private static int Position(ITestCase testCase)
    {
        if (testCase.TestMethodArguments is [string name, ..])
        {
            for (var i = 0; i < FaultScenarios.All.Count; i++)
            {
                if (FaultScenarios.All[i].Name == name)
                {
                    return i + 1;
                }
            }
        }

        return 0;
    }
}
