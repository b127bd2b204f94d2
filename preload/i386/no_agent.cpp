// Nothing: the libsiagent.so of 32-bit x86 processes (preload/i386/meson.build). It has no
// code and no dependency, so that ld.so loads it into a 32-bit program without a word,
// where naming the 64-bit library would print "wrong ELF class" on the program's stderr at
// every start. Such programs are not profiled.
