namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// Every integration test that creates network namespaces joins this collection with
/// <c>[Collection("namespaces")]</c>, so they run one at a time: the machine is small, and
/// tests that time failover must not compete for it. The one shared fixture is the preflight,
/// <see cref="RequiredPrograms"/>: it runs before the first test and fails them all, naming what is
/// missing, if a program they run is not installed. Each test class builds the namespaces (or the
/// lab, through <see cref="LabFixture"/>) it needs.
/// </summary>
[CollectionDefinition("namespaces", DisableParallelization = true)]
public sealed class NamespacesCollection : ICollectionFixture<RequiredPrograms>
{
}
