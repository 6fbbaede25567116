# One interface target carries the sanitizer flags to every target of ours.
add_library(message_sanitizers INTERFACE)
if(MESSAGE_SANITIZER STREQUAL "address")
  target_compile_options(message_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(message_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(MESSAGE_SANITIZER STREQUAL "thread")
  # -Wno-tsan: g++ 12 warns (an error with -Werror) that TSan does not model the
  # atomic_thread_fence inside Asio's handler invocation; the warning is about Asio, not us.
  target_compile_options(message_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  target_link_options(message_sanitizers INTERFACE -fsanitize=thread)
elseif(NOT MESSAGE_SANITIZER STREQUAL "")
  message(FATAL_ERROR "MESSAGE_SANITIZER must be empty, 'address' or 'thread'")
endif()
