using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DeepLearning.Distributed;

// Naming the ranks a timed-out collective waits for. MPI cannot say which ranks have not yet joined a collective, so the
// rank that timed out asks each peer directly, with point-to-point messages beside the stuck collective: a peer that is
// waiting in any collective of this communicator answers with the number and kind of the collective it is in (its wait
// loop polls for questions); a peer that is hung, busy outside the communicator or dead does not. Nothing is sent
// while collectives complete in time, so the check costs nothing on the normal path.
public sealed unsafe partial class MpiCommunicator
{
    private const int QuestionTag = 0x7D17;
    private const int AnswerTag = 0x7D18;

    private int _sequence;
    private Operation _operation;
    private readonly int[] _replies;

    // Send buffers of questions and answers: pinned for good, because a send to a silent peer is dropped unfinished.
    private readonly int[] _question = GC.AllocateArray<int>(2, pinned: true);
    private readonly int[] _answer = GC.AllocateArray<int>(2, pinned: true);

    /// <summary>Answers every question a peer has sent: this rank's collective number and kind.</summary>
    private void AnswerQuestions()
    {
        int* question = stackalloc int[2];
        while (true)
        {
            int found = 0;
            MpiStatus status;
            if (_mpi.Iprobe(MpiLibrary.AnySource, QuestionTag, _comm, &found, &status) != MpiLibrary.Success || found == 0) return;
            if (_mpi.Recv(question, 2, _mpi.Int, status.Source, QuestionTag, _comm, null) != MpiLibrary.Success) return;
            // A two-int message goes out eagerly: the send completes locally even if the asker has gone.
            _answer[0] = _sequence;
            _answer[1] = (int)_operation;
            IntPtr request;
            fixed (int* answer = _answer)
            {
                if (_mpi.Isend(answer, 2, _mpi.Int, status.Source, AnswerTag, _comm, &request) != MpiLibrary.Success) continue;
            }
            int done = 0;
            for (int i = 0; i < 1000 && done == 0; i++) _mpi.Test(&request, &done, null);
            if (done == 0) _mpi.RequestFree(&request);
        }
    }

    /// <summary>
    /// Asks every peer where it is, waits a grace period for answers (answering peers' questions meanwhile: they may be
    /// diagnosing too), faults the communicator and returns the exception that names the silent ranks.
    /// </summary>
    private CommunicatorTimeoutException Diagnose(Operation operation, TimeSpan waited)
    {
        int size = WorldSize;
        var receives = new IntPtr[size];
        var sends = new IntPtr[size];
        _question[0] = _sequence;
        _question[1] = (int)_operation;
        fixed (int* question = _question)
        fixed (int* replies = _replies)
        {
            for (int peer = 0; peer < size; peer++)
            {
                if (peer == Rank) continue;
                IntPtr r, s;
                _mpi.Check(_mpi.Irecv(replies + 2 * peer, 2, _mpi.Int, peer, AnswerTag, _comm, &r), "MPI_Irecv");
                _mpi.Check(_mpi.Isend(question, 2, _mpi.Int, peer, QuestionTag, _comm, &s), "MPI_Isend");
                receives[peer] = r;
                sends[peer] = s;
            }
            var answered = new bool[size];
            answered[Rank] = true;
            var grace = TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 2, TimeSpan.FromMilliseconds(500).Ticks, TimeSpan.FromSeconds(10).Ticks));
            long start = Stopwatch.GetTimestamp();
            while (Array.IndexOf(answered, false) >= 0 && Stopwatch.GetElapsedTime(start) < grace)
            {
                for (int peer = 0; peer < size; peer++)
                {
                    if (answered[peer]) continue;
                    int done = 0;
                    fixed (IntPtr* r = &receives[peer]) _mpi.Test(r, &done, null);
                    answered[peer] = done != 0;
                }
                AnswerQuestions();
                Thread.Sleep(1);
            }
            for (int peer = 0; peer < size; peer++)
            {
                if (peer == Rank) continue;
                // A question to a silent peer may never be delivered, and its answer never come: both are dropped.
                fixed (IntPtr* s = &sends[peer]) _mpi.RequestFree(s);
                if (!answered[peer])
                    fixed (IntPtr* r = &receives[peer])
                    {
                        _mpi.Cancel(r);
                        _mpi.RequestFree(r);
                    }
            }
            return Describe(operation, waited, answered);
        }
    }

    private CommunicatorTimeoutException Describe(Operation operation, TimeSpan waited, bool[] answered)
    {
        var silent = new List<int>();
        var elsewhere = new StringBuilder();
        for (int peer = 0; peer < WorldSize; peer++)
        {
            if (!answered[peer])
            {
                silent.Add(peer);
                continue;
            }
            if (peer == Rank) continue;
            int sequence = _replies[2 * peer];
            var theirs = (Operation)_replies[2 * peer + 1];
            if (sequence != _sequence || theirs != operation)
                elsewhere.Append(CultureInfo.InvariantCulture, $"; rank {peer} is in collective #{sequence} ({theirs}) instead");
        }
        string what = $"MPI rank {Rank}: {operation} (collective #{_sequence} of this communicator) did not complete within {waited.TotalSeconds:0.#} s";
        string message = silent.Count > 0
            ? $"{what}: rank{(silent.Count > 1 ? "s" : "")} {string.Join(", ", silent)} did not answer (hung, busy outside the communicator, or dead){elsewhere}"
            : elsewhere.Length > 0
                ? $"{what}: the ranks call different collectives{elsewhere} (every rank must call the same collectives in the same order)"
                : $"{what}: every rank answered from this collective, so it is slow rather than hung; raise MpiCommunicator.Timeout";
        _fault = message;
        return new CommunicatorTimeoutException(message, silent);
    }
}
