/**
 * Random masks shared by the server's attribution methods and the trainer's objectives: {@link
 * io.maskserve.zoo.masks.RiseMasks} draws RISE's smooth masks (Petsiuk, Das &amp; Saenko 2018).
 */
package io.maskserve.zoo.masks;
