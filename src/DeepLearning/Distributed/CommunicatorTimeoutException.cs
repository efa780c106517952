namespace DeepLearning.Distributed;

/// <summary>
/// A collective did not complete within the communicator's timeout. The message names the ranks that did not answer;
/// <see cref="UnresponsiveRanks"/> lists them. The communicator that threw is faulted: end the job.
/// </summary>
public sealed class CommunicatorTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with no ranks named.</summary>
    public CommunicatorTimeoutException() => UnresponsiveRanks = [];

    /// <summary>Creates the exception with a message and no ranks named.</summary>
    public CommunicatorTimeoutException(string message) : base(message) => UnresponsiveRanks = [];

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public CommunicatorTimeoutException(string message, Exception innerException) : base(message, innerException) => UnresponsiveRanks = [];

    /// <summary>Creates the exception naming the ranks that did not answer.</summary>
    public CommunicatorTimeoutException(string message, IReadOnlyList<int> unresponsiveRanks) : base(message) =>
        UnresponsiveRanks = unresponsiveRanks ?? [];

    /// <summary>The ranks that did not answer when asked after the timeout (empty when all answered: a slow or mismatched collective).</summary>
    public IReadOnlyList<int> UnresponsiveRanks { get; }
}
