namespace DeepLearning.Tests.Serialization;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-tests-").FullName;

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
            foreach (var d in Directory.EnumerateDirectories(_dir)) File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A stream that accepts <c>limit</c> bytes and then fails, as a full disk would.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
            {
                inner.Write(buffer[..(int)(limit - _written)]);
                throw new IOException("No space left on device (simulated)");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    private string OldFile()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        StateDictTests.Model(1).Save(path);
        return path;
    }

    private void AssertOnlyTheOldFile(string path, byte[] old)
    {
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(100)]
    [InlineData(400)]
    public void FailureAfterNBytes_LeavesTheOldFileByteIdentical(int limit)
    {
        var path = OldFile();
        var old = File.ReadAllBytes(path);
        var other = StateDictTests.Model(2);
        var e = Assert.Throws<IOException>(() =>
            AtomicFile.Write("Save", path, s => other.Save(s), wrap: s => new FailingStream(s, limit)));
        Assert.Contains(path, e.Message);
        Assert.Contains("old file is untouched", e.Message);
        AssertOnlyTheOldFile(path, old);
    }

    [Fact]
    public void TensorThatCannotBeReadMidSave_LeavesTheOldFileByteIdentical()
    {
        var path = OldFile();
        var old = File.ReadAllBytes(path);
        var other = StateDictTests.Model(3);
        ((BatchNorm)other[1]).RunningVar.Dispose();   // the header is written, then this tensor's read throws
        Assert.Throws<ObjectDisposedException>(() => other.Save(path));
        AssertOnlyTheOldFile(path, old);
    }

    [Fact]
    public void MissingFolder_NamesIt()
    {
        var path = Path.Combine(_dir, "no-such-folder", "m.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => StateDictTests.Model(1).Save(path));
        Assert.Contains(Path.Combine(_dir, "no-such-folder"), e.Message);
    }

    [SkippableFact]
    public void ReadOnlyFolder_NamesThePath_AndLeavesTheOldFile()
    {
        if (OperatingSystem.IsWindows()) throw new SkipException("Unix file modes");
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "ro")).FullName;
        var path = Path.Combine(folder, "m.safetensors");
        StateDictTests.Model(1).Save(path);
        var old = File.ReadAllBytes(path);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var probe = Path.Combine(folder, "probe");
        bool writable;
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            writable = true;
        }
        catch (UnauthorizedAccessException)
        {
            writable = false;
        }
        Skip.If(writable, "this user (root?) can write into a read-only folder");
        var e = Assert.Throws<UnauthorizedAccessException>(() => StateDictTests.Model(2).Save(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
    }

    [Fact]
    public void Success_ReplacesTheFile_AndLeavesNoTemporary()
    {
        var path = OldFile();
        var model = StateDictTests.Model(4);
        model.Save(path);
        Assert.Equal([path], Directory.GetFiles(_dir));
        Assert.True(StateDictTests.Model(5).Load(path).IsComplete);
    }
}
