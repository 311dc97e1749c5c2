#include "core/model/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SF_CPU_RELAX() _mm_pause()
#else
#define SF_CPU_RELAX() std::this_thread::yield()
#endif

namespace sf {

namespace {

// The job word: generation (32 bits) | task count (16 bits) | next unclaimed task (16 bits).
// Claiming a task is one compare-and-swap on it; a helper still holding an old
// generation can never claim a task of a newer job.
constexpr uint64_t kField = 0xffff;
inline uint32_t generationOf(uint64_t w) { return uint32_t(w >> 32); }
inline uint32_t countOf(uint64_t w) { return uint32_t((w >> 16) & kField); }
inline uint32_t nextOf(uint64_t w) { return uint32_t(w & kField); }

// Spins of a waiting thread (~0.1 ms) before it sleeps (helpers) or yields (the caller).
constexpr int kSpins = 4000;

int gThreads = 0;
std::atomic<int> gHelperNice{0};

// This thread's scheduling priority (Linux: per thread); best effort.
void applyNice(int nice)
{
#ifdef __linux__
    ::setpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)), nice);
#else
    (void)nice;
#endif
}

using Clock = std::chrono::steady_clock;

class Pool {
public:
    Pool()
    {
        const int cores = std::max(1, int(std::thread::hardware_concurrency()));
        for (int i = 0; i + 1 < cores; ++i) mHelpers.emplace_back([this, i] { helperLoop(i); });
    }

    ~Pool()
    {
        {
            std::lock_guard<std::mutex> lock(mMutex);
            mStop = true;
        }
        mWake.notify_all();
        for (std::thread& t : mHelpers) t.join();
    }

    // coarse: long tasks (parallelTasks): always the team, not accounted.
    void run(int count, void (*task)(void*, int), void* context, double work, bool coarse = false)
    {
        const int helpers = std::min(int(mHelpers.size()), threads() - 1);
        std::unique_lock<std::mutex> busy(mCallMutex, std::try_to_lock);
        if (helpers <= 0 || uint64_t(count) > kField || !busy.owns_lock()) {
            // No helpers, too many tasks, or a job already running (a nested or concurrent
            // call): this thread does it all.
            for (int i = 0; i < count; ++i) task(context, i);
            return;
        }
        if (coarse) {
            runTeam(count, task, context, helpers);
            return;
        }
        const bool team = useTeam();
        const Clock::time_point start = Clock::now();
        if (team) {
            runTeam(count, task, context, helpers);
        } else {
            for (int i = 0; i < count; ++i) task(context, i);
        }
        account(team, std::chrono::duration<double>(Clock::now() - start).count(), work);
    }

private:
    void runTeam(int count, void (*task)(void*, int), void* context, int helpers)
    {
        mActiveHelpers.store(helpers, std::memory_order_relaxed);
        mTask = task;
        mContext = context;
        mCompleted.store(0, std::memory_order_relaxed);
        const uint32_t generation = ++mGeneration;
        mClaim.store((uint64_t(generation) << 32) | (uint64_t(count) << 16));  // publishes the job
        if (mSleepers.load() > 0) {
            std::lock_guard<std::mutex> lock(mMutex);
            mWake.notify_all();
        }
        work(generation);
        // Wait only for tasks that helpers have claimed and not yet finished.
        for (int spins = 0; mCompleted.load(std::memory_order_acquire) < count; ++spins) {
            if (spins < kSpins)
                SF_CPU_RELAX();
            else
                std::this_thread::yield();
        }
    }

    // Claims and runs tasks of job `generation` until none is left.
    void work(uint32_t generation)
    {
        uint64_t w = mClaim.load(std::memory_order_acquire);
        while (generationOf(w) == generation && nextOf(w) < countOf(w)) {
            if (mClaim.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
                mTask(mContext, int(nextOf(w)));
                mCompleted.fetch_add(1, std::memory_order_release);
                w = mClaim.load(std::memory_order_acquire);
            }
        }
    }

    void helperLoop(int index)
    {
        uint32_t seen = 0;
        int applied = 0;  // this helper's nice value
        for (;;) {
            uint64_t w = mClaim.load(std::memory_order_acquire);
            for (int spins = 0; generationOf(w) == seen; ++spins) {
                if (spins < kSpins) {
                    SF_CPU_RELAX();
                    w = mClaim.load(std::memory_order_acquire);
                    continue;
                }
                std::unique_lock<std::mutex> lock(mMutex);
                mSleepers.fetch_add(1);
                mWake.wait(lock, [&] {
                    w = mClaim.load();
                    return mStop || generationOf(w) != seen;
                });
                mSleepers.fetch_sub(1);
                if (mStop) return;
            }
            seen = generationOf(w);
            if (const int nice = gHelperNice.load(std::memory_order_relaxed); nice != applied) {
                applyNice(nice);
                applied = nice;
            }
            if (index < mActiveHelpers.load(std::memory_order_relaxed)) work(seen);
        }
    }

    // Team or solo. When the other cores are busy with other programs, helpers are
    // preempted mid-task and time-share the cores with this thread, and a team can be
    // slower than this thread alone. So the pool probes: for kProbe jobs each job runs with
    // the team or alone by a fixed pseudo-random pick (so both halves see the same mix of
    // operations: an encoder's compute-bound products and a decoding step's memory-bound
    // ones cost very different times per multiply-add, and a half made of one kind must not
    // be compared with a half made of the other), and the time spent inside the jobs per
    // unit of work (the callers' estimates) decides the next kExploit jobs. Time between
    // jobs, such as a window waiting for its user, is not counted. Only the speed
    // changes, never a number.
    static constexpr int kProbe = 512, kExploit = 16384;

    bool probing() const { return mPhaseJobs < kProbe; }
    bool useTeam() const
    {
        if (!probing()) return mTeamWins;
        uint32_t h = uint32_t(mPhaseJobs) * 2654435761u;  // Knuth's multiplicative hash
        return ((h >> 16) & 1) != 0;
    }

    void account(bool team, double seconds, double work)
    {
        if (probing()) {
            const int k = team ? 1 : 0;
            mProbeSeconds[k] += seconds;
            mProbeWork[k] += std::max(1.0, work);
        }
        if (++mPhaseJobs == kProbe && mProbeWork[0] > 0 && mProbeWork[1] > 0)
            mTeamWins = mProbeSeconds[1] / mProbeWork[1] <= mProbeSeconds[0] / mProbeWork[0];
        if (mPhaseJobs >= kProbe + kExploit) {
            mPhaseJobs = 0;
            mProbeSeconds[0] = mProbeSeconds[1] = mProbeWork[0] = mProbeWork[1] = 0.0;
        }
    }

    std::atomic<uint64_t> mClaim{0};
    std::atomic<int> mCompleted{0};
    std::atomic<int> mSleepers{0};
    std::atomic<int> mActiveHelpers{0};
    void (*mTask)(void*, int) = nullptr;
    void* mContext = nullptr;
    uint32_t mGeneration = 0;
    std::mutex mCallMutex;  // one job at a time; guards the fields below too
    int mPhaseJobs = 0;                         // jobs since the probe began
    double mProbeSeconds[2] = {}, mProbeWork[2] = {};  // [solo, team] in this probe
    bool mTeamWins = true;
    std::mutex mMutex;  // sleeping helpers
    std::condition_variable mWake;
    bool mStop = false;
    std::vector<std::thread> mHelpers;
};

Pool& pool()
{
    static Pool p;
    return p;
}

}  // namespace

void setThreads(int t) { gThreads = std::max(0, t); }

void setTrainingNice(int nice)
{
    applyNice(nice);
    gHelperNice.store(nice, std::memory_order_relaxed);
}

// SF_THREADS in the environment, else one per core.
int defaultThreads()
{
    static const int n = [] {
        if (const char* e = std::getenv("SF_THREADS"); e && std::atoi(e) > 0) return std::atoi(e);
        return std::max(1, int(std::thread::hardware_concurrency()));
    }();
    return n;
}

int threads() { return gThreads > 0 ? gThreads : defaultThreads(); }

namespace {

void runJob(int count, void (*run)(void*, int), void* context, double work, bool coarse)
{
    if (threads() <= 1 || count == 1) {
        for (int i = 0; i < count; ++i) run(context, i);
        return;
    }
    pool().run(count, run, context, work, coarse);
}

}  // namespace

void parallelForImpl(int count, void (*run)(void*, int), void* context, double work)
{
    runJob(count, run, context, work, false);
}

void parallelTasksImpl(int count, void (*run)(void*, int), void* context) { runJob(count, run, context, 0.0, true); }

}  // namespace sf
