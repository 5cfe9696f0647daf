using Driftwatch.Core.Detection;

namespace Driftwatch.Web.Views;

/// <summary>
/// How the dashboard judges the history of one agent × suite: <see cref="Checker.Check(History, CheckOptions)"/> unless
/// it is given another (a test shows the pages a verdict of its own, signals and all).
/// </summary>
public delegate Verdict VerdictSource(History history, CheckOptions options);
